"""Closed vocabularies for entities: what kind of thing, and how two things relate."""

from __future__ import annotations

from enum import StrEnum


class EntityKind(StrEnum):
    """What an entity is."""

    project = "project"  # a project or a piece of infrastructure
    organisation = "organisation"
    initiative = "initiative"  # an initiative, a service or a policy
    honour = "honour"
    place = "place"  # a place or a site
    product = "product"


class Relation(StrEnum):
    """How an entity relates to another (read: <entity> <relation> <related entity>)."""

    part_of = "part_of"
    located_in = "located_in"
    built_by = "built_by"
    promoted_by = "promoted_by"
    issued_by = "issued_by"
    supplied_by = "supplied_by"
    features = "features"
    uses = "uses"
    relocated_for = "relocated_for"
