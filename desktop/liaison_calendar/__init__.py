"""Liaison Calendar: the calendar of EU-NATO staff-to-staff cooperation."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("liaison-calendar")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    __version__ = "0.0.0"
