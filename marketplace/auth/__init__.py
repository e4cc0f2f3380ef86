"""Accounts: registration, log in and out, passwords, roles."""
