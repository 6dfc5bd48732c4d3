"""Dependencies point one way: cli -> studies, reports -> fitting -> features -> models -> data.

Read from the source (ast), so that a lazy import inside a function counts as much as one at
the top of a module.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "spikefit"
ROOMS = {"data": 0, "models": 1, "features": 2, "fitting": 3, "reports": 4, "studies": 4, "cli": 5}


def _imports(path: Path):
    """(line, dotted module) of every import of a spikefit module in ``path``."""
    package = ["spikefit", *path.relative_to(PACKAGE).parts[:-1]]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            yield node.lineno, base + (node.module.split(".") if node.module else [])
        elif isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name.split(".")) for alias in node.names)


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] in ROOMS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_from_a_higher_room(path):
    room = path.relative_to(PACKAGE).parts[0]
    upward = [f"line {line}: {'.'.join(module)}" for line, module in _imports(path)
              if module[:1] == ["spikefit"] and room != "cli"
              and (len(module) == 1 or ROOMS.get(module[1], -1) > ROOMS[room])]
    assert not upward, f"spikefit.{room} may import only rooms below it, got {upward}"
