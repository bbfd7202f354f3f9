"""Proposals: agent actions held for a person's decision (approve applies, reject drops)."""
