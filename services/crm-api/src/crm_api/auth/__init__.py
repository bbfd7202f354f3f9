"""Identity: users, sessions, API keys, and who may call which route."""
