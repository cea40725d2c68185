"""The named personas (Alice, Bob, Charlie, Sam) as fixtures for the partnership tests."""

"""Personas come from tests.personas (registered in tests/conftest.py)."""
