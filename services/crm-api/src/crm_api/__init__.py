"""The CRM: organizations, contacts, funds, opportunities, communications, the fundraising grid."""

__version__ = "0.1.0"
