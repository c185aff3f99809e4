"""Kinds of record by their plural name (URL path, seed_data/ key), and what one is called."""

from __future__ import annotations

# Written out, not derived: "entities"[:-1] is no word, and neither is "peopl".
SINGULAR = {
    "regions": "region",
    "topics": "topic",
    "units": "unit",
    "sources": "source",
    "indicators": "indicator",
    "observations": "observation",
    "events": "event",
    "entities": "entity",
    "quotes": "quote",
    "people": "person",
}
# The singulars said with "an" ("a unit" and "a quote" keep "a").
_AN = {"indicator", "observation", "event", "entity"}


def singular(kind: str) -> str:
    """One record of `kind`: entities → entity, quotes → quote, people → person."""
    return SINGULAR[kind]


def one(kind: str) -> str:
    """One record of `kind` with its article, for messages: an entity, a quote."""
    noun = singular(kind)
    return f"{'an' if noun in _AN else 'a'} {noun}"
