"""The indexer: embeds and writes what the ledger says is pending."""
