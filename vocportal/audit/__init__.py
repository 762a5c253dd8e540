"""The audit log: who did what to what, when and from where (append-only).

Other features call `vocportal.audit.operations.record(actor, action, ...)` inside their
transaction; the web layer says where requests come from (`origin.register_origin`), and
`subscribers` turns the ideas' domain events into entries.
"""
