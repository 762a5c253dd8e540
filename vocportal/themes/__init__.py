"""Themes: BERTopic clusters of all customer texts, with ids that survive refits."""
