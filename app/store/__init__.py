"""What the rows mean beyond one table, shared by the seeder (which writes them) and the
services (which read them): the data version, the search index, link rows by owner.

A layer of its own between the seeder and the models, so that neither the seeder nor the
services reach into the other for it (the import contract in pyproject.toml holds this).
"""
