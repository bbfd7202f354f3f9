"""The interaction log: append-only, hash-chained, every human touch and agent action."""
