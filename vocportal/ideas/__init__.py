"""Ideas: posting, voting, comments, following, statuses, merges and who sees what."""
