"""Imports run with the flow: schemas <- scoring <- generators, providers, judges <- pipelines; train reads schemas
and scoring. Read from the source, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"schemas", "scoring", "generators", "providers", "judges", "pipelines", "train"}
ALLOWED = {
    "schemas": set(),
    "scoring": {"schemas"},
    "providers": {"schemas", "scoring"},
    "generators": {"schemas", "scoring", "providers"},
    "judges": {"schemas", "scoring", "providers"},
    "pipelines": {"schemas", "scoring", "providers", "generators", "judges"},
    "train": {"schemas", "scoring"},
}


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & PACKAGES


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_what_lies_below_it(package):
    wrong = {
        str(path.relative_to(ROOT)): sorted(_imported(path) - ALLOWED[package] - {package})
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {k: v for k, v in wrong.items() if v} == {}
