"""House rules that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_services_never_import_discord():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "bot" / "services").rglob("*.py")
        if any(n == "discord" or n.startswith("discord.") for n in _imports(p))
    ]
    assert offenders == []


def test_sql_lives_only_in_the_repositories():
    keywords = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM")
    offenders = []
    for folder in ("cogs", "bot/services", "bot/ui", "bot/scheduling"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if any(k in text for k in keywords):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_modules_stay_small():
    big = [
        str(p.relative_to(ROOT))
        for folder in ("bot", "cogs")
        for p in (ROOT / folder).rglob("*.py")
        if len(p.read_text(encoding="utf-8").splitlines()) > 500
    ]
    assert big == []
