"""Rules shared by the seeder, the API and tests: periods, figures, qualifiers, texts, units."""
