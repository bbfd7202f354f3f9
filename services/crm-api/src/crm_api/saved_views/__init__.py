"""Saved views of the browser app's lists, kept per user and shareable with the team."""
