"""Feature requests: what the team wants from the CRM, who asked, how urgent, and where it
stands (open, planned, in progress, done, declined)."""
