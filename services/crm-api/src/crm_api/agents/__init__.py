"""Agents: actions an agent (or a user) asks crm-api to take, and which sessions read outside text."""
