"""The public changelog: what shipped, linked to the ideas that asked for it, with feeds."""
