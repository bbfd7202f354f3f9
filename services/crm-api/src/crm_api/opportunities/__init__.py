"""Opportunities: one investor's position in one fund, the single home of money. The investor is
an organization or a contact (exactly one); stage, expected, committed and funded amounts (exact
decimals), an owner, a next step. One live opportunity per investor and fund."""
