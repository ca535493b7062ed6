"""Indexed Chinese full-text search over items, in the query language of schemes."""
