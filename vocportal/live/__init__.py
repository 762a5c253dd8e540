"""Live updates: open pages follow votes, status changes and the bell without a reload.

The flow, by module:

- `subscribers`: listen to the ideas' domain events (`vocportal.ideas.events`: votes,
  status updates, hiding) and to the bell (`vocportal.notifications.events`), and note
  what changed in the session (`publish.note_idea`, `publish.note_bell`).
- `publish`: after that session commits, publish one message per change on the portal's
  Redis pub/sub channel (ideas re-read from the database then, so the last message about
  an idea always carries its newest counts). Web requests and jobs (the fan-out) publish.
- `hub`: in each web process, one thread subscribed to the channel hands messages to the
  open streams that watch that idea or that person's bell.
- `state`: what a page may be told (the snapshot): public counts and statuses of the ideas
  the viewer may see, and the viewer's own unread count. The stream's first message and the
  polling fallback are this snapshot.
- `views`: `GET /live/stream` (Server-Sent Events) and `GET /live/state` (JSON, polled
  when the stream is off, refused or dropped); static/js/live.js on every page.

`LIVE_UPDATES` (sse, poll or off) chooses; each stream holds a gunicorn thread, so a process
holds at most `LIVE_MAX_STREAMS` and pages beyond that poll.
"""
