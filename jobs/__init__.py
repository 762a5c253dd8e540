"""What RQ workers run. Each job takes its JobRecord id first, then plain ids and values,
and runs inside the app context. The web process enqueues these by name only (the names in
vocportal/queue/jobnames.py), so it never imports this package (nor torch or BERTopic)."""
