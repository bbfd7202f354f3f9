"""Fixtures shared by every test in the repository live in crm_common.testing."""

pytest_plugins = ["crm_common.testing"]
