"""Exports: every record of an aggregate that matches its list filters, as CSV or a JSON array,
streamed a batch at a time (keyset pagination), and logged in the interaction log."""
