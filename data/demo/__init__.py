"""The seeded demo service organisation."""
