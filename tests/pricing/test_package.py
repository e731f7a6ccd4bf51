"""The engine stands alone: no Django, no app module, nothing outside the standard
library, so a backend could install `pricing/` by itself."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import pricing

PACKAGE = Path(pricing.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


def _imported(path: Path) -> set[str]:
    """The top-level names of every module `path` imports, at any depth of its code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_a_pricing_module_imports_only_the_standard_library_and_pricing(path):
    outside = _imported(path) - set(sys.stdlib_module_names) - {"pricing"}

    assert not outside, f"pricing/{path.name} imports {sorted(outside)}"


def test_importing_the_engine_loads_no_django_and_no_app_module():
    modules = [f"pricing.{path.stem}" for path in MODULES if path.stem != "__init__"]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], cwd=PACKAGE.parent, capture_output=True, text=True, check=True
    ).stdout.split()

    assert "pricing" in loaded
    assert not {"django", "rest_framework", "billingcfg", "rates", "plans"} & set(loaded)


def test_the_public_names_are_few_and_each_is_documented():
    assert len(pricing.__all__) <= 20
    for name in pricing.__all__:
        assert f"`{name}`" in pricing.__doc__, f"{name} is exported but not described in pricing/__init__.py"
        assert getattr(pricing, name).__module__.startswith("pricing.")
