"""Hardening: client addresses behind proxies, rate limits, body limits, headers, the posture."""
