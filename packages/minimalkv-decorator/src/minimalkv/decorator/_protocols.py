"""Marker types the decorators use to type capability-dependent methods."""

from __future__ import annotations

from typing import NewType

__all__ = ["ReadOnlyStoreCannotWrite", "WrappedStoreCannotCopy", "WrappedStoreHasNoUrls"]

# Marker types for the second overload of copy, move and url_for. A decorator whose wrapped
# store lacks the capability keeps only that overload, so mypy reports "expected
# WrappedStoreCannotCopy" for a call, and the decorator does not match SupportsCopy (a
# self-type restriction alone would be ignored by mypy's protocol check).
WrappedStoreCannotCopy = NewType("WrappedStoreCannotCopy", str)
WrappedStoreHasNoUrls = NewType("WrappedStoreHasNoUrls", str)

# Marker type for copy and move of a ReadOnlyDecorator: they take only this, so mypy reports
# "expected ReadOnlyStoreCannotWrite" for a call, which could only raise ReadOnlyError.
ReadOnlyStoreCannotWrite = NewType("ReadOnlyStoreCannotWrite", str)
