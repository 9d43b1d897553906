"""The layers show in the imports (issue 16).

    trialbot/                      the `trialbot` command, its configuration, the processes it runs
    actions/ channels/ review/ web/   Rasa's actions and channels, the website chat, transcript review
    bot/                           the engine, plain Python; its trial store (SQLAlchemy) beside it

A package imports only packages below it. The one exception is ``trialbot.config``: every server
process reads its settings, so it may be imported from anywhere, and it imports nothing of ours.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

from tests.conftest import PROJECT

PACKAGES = ["trialbot", "actions", "channels", "review", "web", "bot"]
CONFIG = "trialbot.config"  # read from every layer; a layer of its own below all of ours
ABOVE_THE_ENGINE = ("actions", "channels", "review", "web", "trialbot")
# The trial store is the one module of bot/ that reaches a database library. Beside it, only the
# importers' entry point that fills it and the coordinator's review of a stored draft
# (bot/importers/drafts.py) use the store; the rest of bot/, the conversation first, reaches neither.
STORE = "bot/store.py"
DATABASE_LIBRARIES = ("sqlalchemy", "psycopg2", "sqlite3", "redis")
STORE_USERS = ("bot/importers/__init__.py", "bot/importers/drafts.py")
# Imports that break the rules today, each to be removed by the change named. An entry that no
# longer matches an import fails the test too, so that the list only shrinks.
KNOWN_EXCEPTIONS: set = set()  # none left: the conversation engine is handed its catalogue


def imported_modules(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, module) for every import in a file, lazy ones in functions too; ``from a import b``
    gives both ``a`` and ``a.b`` (b may be a module)."""
    package = list(path.relative_to(PROJECT).parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []  # relative: from its package
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def is_within(module: str, names: Tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def sources(package: str) -> List[Path]:
    return sorted((PROJECT / package).rglob("*.py"))


def where(path: Path) -> str:
    return path.relative_to(PROJECT).as_posix()


def test_the_engine_imports_nothing_above_it_and_no_database_library():
    found: Set[Tuple[str, str]] = set()
    wrong: List[str] = []
    for path in sources("bot"):
        for line, module in imported_modules(path):
            above = is_within(module, ABOVE_THE_ENGINE)
            database = is_within(module, DATABASE_LIBRARIES) and where(path) != STORE
            store = is_within(module, ("bot.store",)) and where(path) not in (STORE, *STORE_USERS)
            if not (above or database or store):
                continue
            excused = {(file, name) for file, name in KNOWN_EXCEPTIONS if file == where(path) and is_within(module, (name,))}
            found |= excused
            if not excused:
                wrong.append(f"{where(path)}:{line} imports {module}")
    assert not wrong, "bot/ must import nothing from " + ", ".join(ABOVE_THE_ENGINE) + ", no database library " \
        f"outside {STORE} and the store only in " + ", ".join(STORE_USERS) + ":\n" + "\n".join(wrong)
    assert found == KNOWN_EXCEPTIONS, f"no longer imported, remove from KNOWN_EXCEPTIONS: {KNOWN_EXCEPTIONS - found}"


def test_below_the_top_only_the_configuration_is_read_from_it():
    wrong = [f"{where(path)}:{line} imports {module}"
             for package in PACKAGES if package != "trialbot" for path in sources(package)
             for line, module in imported_modules(path)
             if is_within(module, ("trialbot",)) and module not in (CONFIG, "trialbot")
             and not module.startswith(CONFIG + ".")]
    assert not wrong, "only trialbot.config may be imported from below trialbot/:\n" + "\n".join(wrong)
    ours = [module for _, module in imported_modules(PROJECT / "trialbot" / "config.py")
            if is_within(module, tuple(PACKAGES))]
    assert not ours, f"trialbot/config.py must import nothing of ours (it is read from every layer): {ours}"


def package_of(module: str) -> str:
    return CONFIG if is_within(module, (CONFIG,)) else module.split(".")[0]


def test_the_packages_import_each_other_without_a_circle():
    edges: Dict[str, Set[str]] = defaultdict(set)
    for package in PACKAGES:
        for path in sources(package):
            source = CONFIG if where(path) == "trialbot/config.py" else package
            for _, module in imported_modules(path):
                target = package_of(module)
                if target in (*PACKAGES, CONFIG) and target != source:
                    edges[source].add(target)

    def circle_from(start: str, path: List[str]) -> List[str]:
        for target in sorted(edges[path[-1]]):
            if target == start:
                return [*path, target]
            if target not in path:
                found = circle_from(start, [*path, target])
                if found:
                    return found
        return []

    circles = [" -> ".join(circle) for circle in (circle_from(p, [p]) for p in sorted(edges)) if circle]
    assert not circles, "import circles between packages:\n" + "\n".join(circles)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_on_its_own(package):
    """Every module of the package, in a fresh interpreter that imported nothing of ours before."""
    code = (f"import importlib, pkgutil, {package}\n"
            f"for found in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
            "    if not found.name.endswith('__main__'):\n"  # a command: it would run
            "        importlib.import_module(found.name)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(PROJECT), "RASA_TELEMETRY_ENABLED": "false"})
    assert result.returncode == 0, f"importing {package} on its own failed:\n{result.stderr[-3000:]}"
