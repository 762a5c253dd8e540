"""Feedback from every channel: items that are customer voice but not (yet) ideas."""
