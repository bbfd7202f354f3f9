"""Errors of the funds domain.

CRMError
└── Conflict
    └── FundInUse    409: a purge while opportunities (live or deleted) are in the fund
"""

from __future__ import annotations

from crm_common.errors import Conflict


class FundInUse(Conflict):
    title = "The fund still has opportunities"
    slug = "fund-in-use"
