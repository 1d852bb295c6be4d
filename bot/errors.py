"""Errors the domain and storage raise: a catalog key and its values, translated by presentation.

Storage and the pure domain never speak a language: they raise ``DomainError("err_…", **values)``
and the layer that answers a person turns it into a message with ``bot.i18n.t``.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused something; ``key`` names the catalog message, ``values`` fill it."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
