"""The browser app (the built single-page app) served on crm-api's own origin."""
