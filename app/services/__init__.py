"""Queries: a session in, rows out. No FastAPI here, so the CLI and tests can reuse them."""
