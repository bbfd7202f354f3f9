"""Search over the collection: the `search.query` request-reply endpoint and what it runs."""
