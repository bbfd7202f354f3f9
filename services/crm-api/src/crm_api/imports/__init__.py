"""Bulk imports: contacts (with their organizations) from an uploaded CSV."""
