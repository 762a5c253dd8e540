"""Closing the loop: who hears about what, exactly once per (event, person, channel).

The flow (see ENGINEERING-NOTES, "outbox"), by module:

- `outbox`: the web side. `record_event` writes a NotificationEvent in the transaction of
  what caused it and defers its fan-out job (flush only; the request commits).
- `delivery`: the worker side. `recipients_of` is the one rule of who hears; `fan_out`
  inserts their rows idempotently, chunk by chunk; `sweep` re-drives what a lost Redis or
  a killed worker left.
- `sending`: the worker side. Send jobs claim rows (pending -> sending) and send them;
  `send_digests` sends the daily digest.
- `emails`: the messages (subject, text and HTML from templates/email).
- `visibility`: who may still read an event (hidden ideas and comments are not told).
- `bell`: in-app notifications, unread counts, marking read.
- `events`: `bell_changed`, sent when rows reach (or are read in) people's bells, so open
  pages update live (`vocportal.live` listens).
- `preferences`: email preference, one-click unsubscribe, skipping emails about a muted idea.

Only `delivery` and `sending` commit, and only jobs call them.
"""
