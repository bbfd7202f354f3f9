"""Failures of entity look-ups.

CRMError
└── NotFound
    ├── EntityNotFound        no entity has that id
    └── RecordNotLinked       the resolver knows no entity for that source record
"""

from __future__ import annotations

from crm_common.errors import NotFound


class EntityNotFound(NotFound):
    title = "No such entity"
    slug = "entity-not-found"


class RecordNotLinked(NotFound):
    title = "No entity for that record"
    slug = "record-not-linked"
