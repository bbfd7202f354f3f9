"""Funds: the columns of the fundraising grid, each with a vintage, a target size, a currency and
a managed status; a fund's name is unique among live funds."""
