"""Realizers: turn a scenario world into a dated multi-session dialogue."""

from __future__ import annotations

from generators.realize.template import realize

__all__ = ["realize"]
