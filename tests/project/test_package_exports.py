"""A package's ``__all__`` is kept by hand: every name it lists must exist, once, and every public name the
package imports for others must be listed, or ``from package import *`` and readers of the list are misled."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(
    p.parent for p in (ROOT / "sim").rglob("__init__.py") if "__all__" in p.read_text(encoding="utf-8")
)


def _module_name(package_dir: Path) -> str:
    return ".".join(package_dir.relative_to(ROOT).parts)


def _imported_public_names(init: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names.update(a.asname or a.name for a in node.names if not (a.asname or a.name).startswith("_"))
    return names


@pytest.mark.parametrize("package_dir", PACKAGES, ids=_module_name)
def test_every_listed_name_exists_once(package_dir: Path) -> None:
    package = importlib.import_module(_module_name(package_dir))
    listed = list(package.__all__)
    assert len(listed) == len(set(listed)), f"names listed twice: {sorted({n for n in listed if listed.count(n) > 1})}"
    missing = [name for name in listed if not hasattr(package, name)]
    assert not missing, f"{package.__name__}.__all__ lists names the package does not have: {missing}"


@pytest.mark.parametrize("package_dir", PACKAGES, ids=_module_name)
def test_every_reexported_name_is_listed(package_dir: Path) -> None:
    package = importlib.import_module(_module_name(package_dir))
    unlisted = sorted(_imported_public_names(package_dir / "__init__.py") - set(package.__all__))
    assert not unlisted, f"{package.__name__} imports {unlisted} for others but does not list them in __all__"


def test_packages_with_a_list_are_found() -> None:
    assert len(PACKAGES) >= 3
