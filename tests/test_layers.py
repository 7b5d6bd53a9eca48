"""The package's layers import one way, bottom to top (README, "How the model works").

A module may import from its own layer and the layers below it, never from a layer above, at any depth of
the file (lazy imports inside functions count too).
"""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parents[1] / "sim"

#: bottom to top; a module's layer is the first prefix that matches its dotted name
LAYERS: tuple[tuple[str, ...], ...] = (
    ("sim.codes", "sim.streams", "sim.stages"),
    ("sim.config",),
    ("sim.county",),
    ("sim.payment",),
    ("sim.budget",),
    ("sim.policy",),
    ("sim.behaviour",),
    ("sim.model",),
    ("sim.settlement",),
    ("sim.results",),
    ("sim.simulation",),
    ("sim.experiments",),
    ("sim.plots",),
    ("sim.report",),
    ("sim.cli", "sim"),
)


def layer_of(module: str) -> int:
    best, rank = -1, None
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, rank = len(p), i
    assert rank is not None, f"{module} belongs to no layer"
    return rank


def imports_of(path: Path, module: str) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "sim"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                base = module.rsplit(".", node.level)[0]
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            if name.split(".")[0] != "sim":
                continue
            out.add(name)
            out |= {f"{name}.{a.name}" for a in node.names if name == "sim"}
    return out


def module_name(path: Path) -> str:
    rel = path.relative_to(SIM.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def test_no_upward_imports():
    upward = []
    for path in sorted(SIM.rglob("*.py")):
        mod = module_name(path)
        if mod == "sim":
            continue  # the package's front door re-exports the top layers, lazily
        mine = layer_of(mod)
        for imp in imports_of(path, mod):
            if imp == "sim" or imp == "sim.__version__":
                continue
            if layer_of(imp) > mine:
                upward.append(f"{mod} (layer {mine}) imports {imp} (layer {layer_of(imp)})")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_every_module_has_a_layer():
    for path in SIM.rglob("*.py"):
        layer_of(module_name(path))
