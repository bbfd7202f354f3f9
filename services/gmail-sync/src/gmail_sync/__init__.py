"""Syncs team mailboxes from the Gmail API and links messages to investors."""

__version__ = "0.1.0"
