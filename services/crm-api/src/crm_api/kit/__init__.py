"""What every CRM aggregate shares: identity, versions, soft delete, events, audit, idempotency,
optimistic concurrency and cursor pagination."""
