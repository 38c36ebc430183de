"""Everything the bot remembers, in one SQLite file; the only place with SQL."""
