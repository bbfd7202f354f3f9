"""The chunk ledger: what each CRM record is, which chunks it has in the collection and with
which content hash, and what the indexer still has to write, delete or re-stamp."""
