"""Closing the loop: notification events (the outbox), per-person deliveries, the bell."""
