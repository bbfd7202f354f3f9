"""Canonical entities from resolver: which entity each source record belongs to."""
