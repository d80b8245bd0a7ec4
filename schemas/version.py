"""The version of the records; bump it when a record changes shape."""

from __future__ import annotations

SCHEMA_VERSION = "2"  # 2: graded relevance (`grade`) on candidates and rows
