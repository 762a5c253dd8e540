"""Staff ask customers questions about an idea or a feedback item, and record the answers."""
