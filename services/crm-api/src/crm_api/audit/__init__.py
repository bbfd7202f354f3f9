"""The audit log: every mutation, with its actor and before/after state."""
