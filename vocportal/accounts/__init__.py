"""Accounts: sign-up, log-in, sessions, password reset and profiles."""
