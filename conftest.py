"""Fixtures shared by every test in the repository live in crm_common.testing, and those of the
Gmail fake (libs/gmail-fake) in gmail_fake.testing."""

pytest_plugins = ["crm_common.testing", "gmail_fake.testing"]
