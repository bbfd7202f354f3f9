"""NATS: the connection, the streams, the consumer runner and request-reply services."""
