"""Contacts, the hub: people with several emails (one primary, unique among live contacts),
phones, a place in the funnel, an owner, and affiliations to several organizations."""
