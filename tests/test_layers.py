"""The layers: sim -> protocols -> game -> tui -> serve, each importing only the ones before it
(and the shared error root). The engine and protocols never import Textual, Rich or asyncssh:
the simulator must run (and be tested) headless (the layer rule in docs/architecture.md)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("playground/sim", "playground/protocols")
FORBIDDEN = ("textual", "rich", "asyncssh", "textual_serve")


#: What each layer may import from ``playground``: itself and the layers below it.
ORDER = ("sim", "protocols", "game", "tui", "serve")
#: Leaves any layer may use; they import nothing from ``playground``: the error root, and
#: ``shipped``, which finds the shipped levels/ and assets/.
SHARED = frozenset({"errors", "__version__", "shipped"})


#: A module named in a string, for ``importlib.import_module`` (``f"playground.protocols.{x}"``
#: counts by its fixed start).
MODULE_TEXT = re.compile(r"playground(\.\w+)+\.?")


def _named_in_text(node: ast.AST) -> str | None:
    """The ``playground`` module a string (or an f-string's fixed start) names, if it does
    (``playground.levels``, the installed data, is no module of the source tree)."""
    if isinstance(node, ast.JoinedStr) and node.values:
        node = node.values[0]
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return None
    match = MODULE_TEXT.fullmatch(node.value)
    if match is None:
        return None
    name = match.group(0).rstrip(".")
    part = ROOT / "playground" / name.split(".")[1]
    return name if part.is_dir() or part.with_suffix(".py").exists() else None


def _playground_imports(path: Path) -> set[str]:
    """The ``playground`` modules (or names) a file imports, as full dotted names: import
    statements, and module names in strings (imported later with ``importlib``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if (named := _named_in_text(node)) is not None:
            names.add(named)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path}: relative import (the layer test reads absolute ones)")
    return {n for n in names if n.split(".")[0] == "playground"}


@pytest.mark.parametrize("layer", ORDER)
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    allowed = set(ORDER[:ORDER.index(layer) + 1]) | SHARED
    files = sorted((ROOT / "playground" / layer).rglob("*.py"))
    assert files
    for path in files:
        for name in sorted(_playground_imports(path)):
            part = name.split(".")[1] if "." in name else ""
            assert part in allowed, (f"{path.relative_to(ROOT)} imports {name}: {layer} may "
                                     f"import only {', '.join(sorted(allowed))}")


def test_a_module_named_in_a_string_counts_as_imported(tmp_path: Path) -> None:
    path = tmp_path / "lazy.py"
    path.write_text('import importlib\nSCREEN = "playground.serve.web"\n'
                    'importlib.import_module(f"playground.tui.{SCREEN}")\n'
                    'TEXT = "playground.sim is the engine"\n')
    assert _playground_imports(path) == {"playground.serve.web", "playground.tui"}


def test_the_shared_leaves_import_nothing_from_playground() -> None:
    for name in sorted(SHARED - {"__version__"}):
        path = ROOT / "playground" / f"{name}.py"
        assert not _playground_imports(path), f"{path.relative_to(ROOT)} imports playground"

def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_sources_do_not_import_ui_or_ssh_libraries() -> None:
    files = [p for d in CORE for p in sorted((ROOT / d).rglob("*.py"))]
    assert files
    for path in files:
        bad = _imported_roots(path) & set(FORBIDDEN)
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_importing_the_core_loads_no_ui_module() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "import playground.sim, playground.protocols\n"
        "for pkg in (playground.sim, playground.protocols):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == ""
