"""The version of the records; bump it when a record changes shape."""

from __future__ import annotations

SCHEMA_VERSION = "1"
