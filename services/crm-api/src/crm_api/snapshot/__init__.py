"""Snapshots: every record's current state, published so a new or wiped consumer can rebuild."""
