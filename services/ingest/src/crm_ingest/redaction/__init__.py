"""Redaction before indexing: sensitive values become typed placeholders (`[ACCOUNT_NUMBER_1]`)
before any text is embedded or stored in Qdrant. The source record keeps the original."""
