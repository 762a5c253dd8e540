"""Sentence embeddings of customer texts, and the in-process index of similar ideas."""
