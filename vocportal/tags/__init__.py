"""Tags on ideas and feedback, and custom fields per board (kept below `ideas`)."""
