"""Prometheus metrics shared by every service (served at `/metrics`)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS_PUBLISHED = Counter(
    "crm_events_published_total", "Outbox events published to JetStream and acknowledged"
)
EVENTS_REPUBLISHED = Counter(
    "crm_events_republished_total", "Recently sent events published again after a reconnect"
)
EVENTS_DUPLICATE_ACKED = Counter(
    "crm_events_duplicate_acked_total", "Publishes the stream dropped as duplicates (same Msg-Id)"
)
EVENTS_CONSUMED = Counter(
    "crm_events_consumed_total", "Events a consumer handled and committed", ["consumer"]
)
EVENTS_SKIPPED = Counter(
    "crm_events_skipped_total",
    "Events a consumer dropped as already processed or older than its state",
    ["consumer", "reason"],
)
EVENTS_FAILED = Counter(
    "crm_events_failed_total", "Handler failures (each is retried or dead-lettered)", ["consumer"]
)
EVENTS_DEAD_LETTERED = Counter(
    "crm_events_dead_lettered_total", "Messages moved to the DLQ stream", ["consumer"]
)
HANDLER_SECONDS = Histogram(
    "crm_event_handler_seconds", "Time to handle and commit one event", ["consumer"]
)
REQUESTS_SERVED = Counter(
    "crm_service_requests_total", "Request-reply calls served", ["endpoint", "outcome"]
)
