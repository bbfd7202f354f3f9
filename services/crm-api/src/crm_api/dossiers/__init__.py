"""Dossiers: a contact or an organization with everything around it, in one call, and their
full communication history a page at a time."""
