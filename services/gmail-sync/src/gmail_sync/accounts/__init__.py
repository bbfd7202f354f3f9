"""Accounts: the enrolled mailboxes, their credentials (a delegated service account or a user's
OAuth grant, its refresh token encrypted at rest) and their status."""
