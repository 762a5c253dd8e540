"""Staff triage: the inbox, owners, internal notes, bulk updates and the metrics page."""
