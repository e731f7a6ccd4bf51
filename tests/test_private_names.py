"""A name with a leading underscore belongs to its module: no other module of the
application imports it (`from m import _x`) or reaches for it (`m._x`). What two
modules share is public, named for what it is. The layers themselves are
import-linter's (pyproject.toml, `lint-imports`); this is what it does not see."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("billingcfg", "rates", "plans", "pricing")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def private_names_used(path: Path) -> list[str]:
    """'line: what' for each private name of another module that the file at `path` imports or reads."""
    tree = ast.parse(path.read_text(), filename=str(path))
    modules = {}  # a local name bound to one of our modules → its dotted name
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
                elif _is_module(f"{node.module}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    modules[top] = top
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = _dotted(node.value, modules)
            if owner is not None and owner.split(".")[0] in PACKAGES and _is_module(owner):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def _dotted(node: ast.expr, modules: dict[str, str]) -> str | None:
    """`release_models.ApiKey` as 'billingcfg.release_models.ApiKey' when its first name is an imported module."""
    if isinstance(node, ast.Name):
        return modules.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value, modules)
        return None if owner is None else f"{owner}.{node.attr}"
    return None


def test_no_module_uses_another_modules_private_names():
    used = {
        str(path.relative_to(ROOT)): found
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if (found := private_names_used(path))
    }

    assert used == {}


def test_the_check_finds_an_import_and_a_reach(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from billingcfg.releases.restore import _Table, TABLES\n"
        "from billingcfg import release_models\n"
        "import billingcfg.conditions\n"
        "release_models._NO_HASH\n"
        "billingcfg.conditions._evaluate\n"
        "release_models.ApiKey._meta\n"
    )

    assert private_names_used(sample) == [
        "1: from billingcfg.releases.restore import _Table",
        "4: release_models._NO_HASH",
        "5: billingcfg.conditions._evaluate",
    ]
