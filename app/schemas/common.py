"""Shapes shared by every endpoint: the list envelope, pagination links, the problem document."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

ItemT = TypeVar("ItemT")


class FieldError(BaseModel):
    """One invalid or unknown input, named so a client can point at it."""

    location: str = Field(description="Where the input was: query, path, header or body.")
    name: str = Field(description="The parameter's name.")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document; every error response has this shape."""

    type: str = Field(default="about:blank", description="Problem type URI.")
    title: str = Field(description="The HTTP status phrase.")
    status: int
    detail: str = Field(description="What went wrong, naming the input at fault.")
    instance: str = Field(description="The request path.")
    errors: list[FieldError] | None = Field(
        default=None, description="Each invalid input, for 400 and 422 responses."
    )


class PageLinks(BaseModel):
    """Absolute URLs of the neighbouring pages (null at either end)."""

    next: str | None
    prev: str | None


class Page(BaseModel, Generic[ItemT]):
    """The one list envelope: a page of items, the total across all pages, and links."""

    items: list[ItemT]
    total: int = Field(description="Items matching the query, across all pages.")
    limit: int
    offset: int
    links: PageLinks
