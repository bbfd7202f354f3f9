"""Backup errors.

CRMError
├── NotFound
│   └── BackupNotFound         no backup with that id
├── Conflict
│   ├── BackupCorrupt          a backup that fails verification (checksum or integrity check)
│   ├── RestoreRefused         wrong confirmation, an unknown schema, or another restore running
│   └── UnderMaintenance (503) a restore is running: the service is briefly unavailable
└── UnprocessableEntity
    └── BackupUnavailable      no tool for this database (pg_dump / pg_restore not on PATH)
"""

from __future__ import annotations

from crm_common.errors import Conflict, NotFound, ServiceUnavailable, UnprocessableEntity


class BackupNotFound(NotFound):
    title = "No such backup"
    slug = "backup-not-found"


class BackupCorrupt(Conflict):
    title = "The backup fails verification"
    slug = "backup-corrupt"


class RestoreRefused(Conflict):
    title = "Restore refused"
    slug = "restore-refused"


class UnderMaintenance(ServiceUnavailable):
    title = "A restore is running; try again in a moment"
    slug = "maintenance"


class BackupUnavailable(UnprocessableEntity):
    title = "Backups are not available for this database"
    slug = "backup-unavailable"
