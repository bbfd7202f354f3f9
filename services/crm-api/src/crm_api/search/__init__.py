"""`GET /api/search`: hybrid search over the CRM's text, served by ingest over the bus."""
