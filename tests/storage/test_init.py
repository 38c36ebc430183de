"""The package's public surface is exactly what __all__ says."""

from __future__ import annotations

import inspect

import storage


def test_all_names_exist_and_every_public_name_is_listed():
    exported = set(storage.__all__)
    assert all(hasattr(storage, name) for name in exported)
    public = {
        name
        for name in dir(storage)
        if not name.startswith("_") and not isinstance(getattr(storage, name), type(storage))
    }
    assert public == exported


def test_every_public_function_and_class_has_a_docstring():
    for name in storage.__all__:
        value = getattr(storage, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert value.__doc__, name
    for name, member in vars(storage.Store).items():
        if not name.startswith("_") and callable(member):
            assert member.__doc__, name
