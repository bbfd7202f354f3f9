"""Errors of serving the browser app.

CRMError
└── ServiceUnavailable
    └── AppNotBuilt    the web folder has no index.html: the app was never built there
"""

from __future__ import annotations

from crm_common.errors import ServiceUnavailable


class AppNotBuilt(ServiceUnavailable):
    title = "The browser app is not built"
    slug = "app-not-built"
