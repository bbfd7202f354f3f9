"""Reports: the dashboard, the pipeline, the LP breakdown, activity over time, overdue follow-ups.

Every sum of money is computed by the database in integer cents, per currency (different
currencies are never added together), and answered as an exact decimal string. Only live records
count: an opportunity counts when it, its fund and its investor are live.
"""
