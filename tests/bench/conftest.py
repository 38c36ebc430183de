"""The storage fixtures (a fake clock, a fresh database) for the test of the benchmark data."""

from tests.storage.conftest import clock, db_path, store  # noqa: F401  (fixtures, by name)
