"""Every job's name, declared once: the dotted path of a function in `jobs/`.

Web code enqueues jobs by these names (`defer(kind, jobnames.EMBED_IDEA, ...)`) and so never
imports `jobs/` (nor torch or BERTopic); a worker imports the function when it runs the job.
tests/test_jobnames.py checks that each name resolves to a job and that no other module
under vocportal/ spells one out.
"""

from __future__ import annotations

#: Embed one idea after it is posted or edited, and place it in its nearest theme.
EMBED_IDEA = "jobs.embeddings.embed_idea"
#: Embed every idea lacking a vector from the current model (after a model change, the demo).
EMBED_IDEAS_BACKFILL = "jobs.embeddings.backfill"
#: Embed every feedback item lacking a vector, in batches.
EMBED_FEEDBACK = "jobs.embeddings.embed_feedback"
#: Import an uploaded feedback CSV file saved under instance/imports/.
IMPORT_FEEDBACK_CSV = "jobs.feedback.import_csv"
#: Email a password reset link (or nothing, for an address without an account).
SEND_PASSWORD_RESET = "jobs.mail.send_password_reset"
#: Email what a sign-up needs: the confirmation link, or a note that the account exists.
SEND_SIGN_UP_EMAIL = "jobs.mail.send_sign_up_email"
#: Email a one-time sign-in link (or nothing, for an address without an account).
SEND_SIGN_IN_LINK = "jobs.mail.send_sign_in_link"
#: Create every recipient's notification rows for one event.
NOTIFY_FAN_OUT = "jobs.notify.fan_out"
#: Send one shard of an event's pending notification emails.
NOTIFY_SEND_EMAILS = "jobs.notify.send_emails"
#: Send the daily digest to everyone who has updates waiting.
NOTIFY_SEND_DIGESTS = "jobs.notify.send_digests"
#: Refit themes on every stored embedding.
REFRESH_THEMES = "jobs.topics.refresh_topics"
#: Flag themes whose last week jumped above their baseline (early warning).
DETECT_THEME_ALERTS = "jobs.topics.detect_theme_alerts"
#: Build a week's voice-of-customer report (once), write its deliveries and send them.
REPORTS_SEND_WEEKLY = "jobs.reports.send_weekly"
#: POST one signed webhook delivery; RQ retries it while the receiver fails.
DELIVER_WEBHOOK = "jobs.webhooks.deliver"
#: Post a new tracker link's comment (the idea's address and demand) on the issue.
POST_TRACKER_COMMENT = "jobs.trackers.post_comment"
