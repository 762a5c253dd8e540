"""Administration: people (roles, blocking) and boards."""
