from alembic import context

from crm_common.migrations import run_env

run_env(context)
