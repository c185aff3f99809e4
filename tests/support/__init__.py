"""Helpers shared by the tests: plain functions, classes and constants, no fixtures.

`databases` (the backend under test, fresh databases, dumps), `seed` (the real seed_data/ and
edits of a copy of it), `server` (a real `jinzhong serve` process), `access_log` (an app's
request lines in a file), `browser` (what a page fetched). Fixtures live in the conftest.py files and use these; tests import from here, never
from a conftest.
"""
