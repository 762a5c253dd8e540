"""Moderation: posts held for staff review, spam signals, approve and reject.

`rules.screen` decides at posting time whether an idea or comment is held (`MODERATION`
setting, spam signals from `vocportal.spamtraps`), asked through the ideas' `post_submitted`
event (`subscribers`); `operations` lists the queue and approves (which
announces the post: `ideas.events`) or rejects it with a reason its author hears about.
"""
