"""Sensitive values (account and routing numbers, cards, tax ids, ...) found in prose and replaced
by typed placeholders (`[ACCOUNT_NUMBER_1]`): ingest redacts before indexing, the MCP gateway
before it quotes a record's text to a key without `read:sensitive`. The source record keeps the
original."""
