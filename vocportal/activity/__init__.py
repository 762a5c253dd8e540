"""A customer's own activity: what they posted, voted for, commented and sent, and its fate."""
