"""Mail: crm-api's `/api/email` routes over gmail-sync's `gmail.*` request-reply."""
