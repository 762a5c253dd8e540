"""Background work: job records the portal can read, RQ queues, enqueue-after-commit."""
