"""Sync: backfill in pages and incremental sync from the History API, per account, with
Google's rate limits honoured; the scheduler that runs it in the service process."""
