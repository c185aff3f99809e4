"""Helpers of the browser tests."""

from __future__ import annotations

from urllib.parse import urlparse


def outside(urls: list[str]) -> list[str]:
    """The URLs that left this machine's loopback address."""
    return [
        u
        for u in urls
        if not u.startswith(("data:", "blob:")) and urlparse(u).hostname != "127.0.0.1"
    ]
