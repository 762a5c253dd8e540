"""Outbound webhooks: signed event deliveries to customer-configured URLs."""
