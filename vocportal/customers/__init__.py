"""Companies and customer segments: who is asking, and how much their voice weighs."""
