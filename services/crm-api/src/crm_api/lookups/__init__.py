"""Managed lists: organization types, contact types (the funnel), statuses, sources, pipeline
stages, investor types, communication types. Admins add, rename, reorder and retire values;
every write that uses one is checked against its list."""
