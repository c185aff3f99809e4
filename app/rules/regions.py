"""Administrative levels of regions, and their order from the top."""

from __future__ import annotations

from enum import StrEnum


class RegionLevel(StrEnum):
    """Administrative level, highest first."""

    province = "province"
    prefecture = "prefecture"
    county = "county"


LEVEL_RANK = {RegionLevel.province: 0, RegionLevel.prefecture: 1, RegionLevel.county: 2}
