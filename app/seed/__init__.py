"""Curated YAML → validated bundle (no database) → rows in one transaction."""
