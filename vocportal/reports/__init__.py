"""The weekly voice-of-customer report: figures, recipients, sending, theme follows."""
