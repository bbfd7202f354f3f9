"""Matching: which resolver entities a message's participants belong to, asked of the resolver
(`resolver.resolve`), never guessed here."""
