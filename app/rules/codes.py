"""The shapes of codes, as regular expressions: written once, read by the seed models, the
query parameters and the OpenAPI document alike.

Anchored with ^ and $ and made of ASCII classes only, so that Python, pydantic's regex engine
and a JSON Schema (ECMA-262) validator agree on what each matches.
"""

from __future__ import annotations

# gdp, urban_rural_income_ratio: indicators, topics, units.
VOCABULARY_CODE = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
# yangshe-railway, gdp-2024: sources, observations, entities, events, quotes, people, checks.
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# GB/T 2260: six digits.
REGION_CODE = r"^[0-9]{6}$"
