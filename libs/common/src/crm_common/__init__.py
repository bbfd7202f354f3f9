"""Shared platform code for the LP CRM services.

Modules:
    settings   per-service configuration from the environment (pydantic-settings)
    events     the CloudEvents 1.0 envelope every event on the bus uses
    errors     the base of every domain error and RFC 9457 problem details
    db         SQLAlchemy engines, sessions and transactions for SQLite and PostgreSQL
    migrations Alembic wiring shared by every service
    outbox     the transactional outbox and its relay to JetStream
    bus        NATS connection, streams, the consumer runner, request-reply services
    logging    structured JSON logs that never carry secrets
    metrics    Prometheus counters for events
    http       the health and metrics app of a service
"""

__version__ = "0.1.0"
