"""The real seed data, and edits of a private copy of it."""

from __future__ import annotations

from pathlib import Path

from app.config import PROJECT_ROOT

SEED_DIR = PROJECT_ROOT / "seed_data"
# The report most facts of the seed come from.
SOURCE_CODE = "jzrb-2025-10-24-p03"


def edit(folder: Path, name: str, old: str, new: str) -> None:
    """Replace the first `old` in a seed file; the test fails if `old` is not there."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
