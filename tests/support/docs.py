"""The documentation as tests read it: README.md and the files under docs/."""

from __future__ import annotations

from app.config import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"


def doc(name: str) -> str:
    """One documentation file's text: `README.md` or a file under docs/ (`settings.md`)."""
    path = PROJECT_ROOT / name if name == "README.md" else DOCS / name
    return path.read_text(encoding="utf-8")


def all_docs() -> str:
    """README.md and every docs/*.md, one after the other."""
    return "\n".join([doc("README.md"), *(doc(path.name) for path in sorted(DOCS.glob("*.md")))])
