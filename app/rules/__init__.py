"""Rules shared by the seeder, the API and the tests: periods, figures, qualifiers, quotes, units."""
