"""Agents: the actions they ask crm-api to take, and which sessions read outside text."""
