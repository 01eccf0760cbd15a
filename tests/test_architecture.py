"""The package's shape, computed from its source: no import cycles (also none hidden inside a
function), the stage order of docs (a stage imports only earlier stages and the base), and no
stage importing the runtime workarounds."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workflow" / "parentgroup"

#: The base every stage may import, then the stages in pipeline order.
BASE = {"parentgroup", "parentgroup.config", "parentgroup.instruments", "parentgroup.problems",
        "parentgroup.tables", "parentgroup.outputs", "parentgroup.disclosure",
        "parentgroup.labels", "parentgroup.formatting", "parentgroup.workers",
        "parentgroup.spelling"}
STAGES = ["inputs", "anonymisation", "scoring", "analysis", "qualitative", "figures", "report"]
#: Packages outside the chain and what each may import besides the base.
OTHERS = {
    "leak_check": {"inputs"},  # reads the raw roster and identifiers file as the inputs do
    "demo": set(),
    "_runtime": set(),
}
#: Single modules a stage may import from outside its chain, and why.
SHARED = {
    # the redactor replaces every name the leak check searches for, derived by the same code
    "anonymisation": {"parentgroup.leak_check.needles"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """Every parentgroup module ``name`` imports, at any depth of its code."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("parentgroup") and target != name:
                found.add(target)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def stage_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and name not in BASE else None


def test_the_graph_sees_function_level_imports():
    # a self-check of the scanner and of the cycle finder
    assert "parentgroup.analysis.effect_sizes" in GRAPH["parentgroup.analysis.paired_tests"]
    fake = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert cycles(fake) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def test_a_stage_imports_only_earlier_stages_and_the_base():
    wrong = []
    for name, targets in GRAPH.items():
        stage = stage_of(name)
        if stage is None:
            assert targets <= BASE, (name, targets - BASE)  # the base imports only the base
            continue
        allowed = set(BASE)
        if stage in STAGES:
            allowed |= {s for s in STAGES[: STAGES.index(stage) + 1]}
        else:
            allowed |= OTHERS[stage] | {stage}
        for target in targets:
            other = stage_of(target)
            if other is not None and other not in allowed \
                    and target not in SHARED.get(stage, set()):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_helpers_never_import_their_own_stage_entry():
    """A module inside a stage package imports its siblings, never the package's __init__
    (where the entry function lives); ``python -m parentgroup.demo`` (``__main__``) may."""
    wrong = [
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        for target in targets
        if MODULES[name].name not in {"__init__.py", "__main__.py"}
        and name.startswith(target + ".")
        and target != "parentgroup"
    ]
    assert wrong == []


def test_every_stage_package_has_its_entry_function():
    entries = {
        "inputs": "validate_site", "anonymisation": "anonymise_site", "scoring": "score_site",
        "analysis": "analyse_site", "qualitative": "summarise_site",
        "figures": "draw_site_figures", "report": "write_site_report",
        "leak_check": "check_site",
    }
    for package, function in entries.items():
        init = ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))
        names = {alias.asname or alias.name for node in ast.walk(init)
                 if isinstance(node, ast.ImportFrom) for alias in node.names}
        names |= {node.name for node in init.body if isinstance(node, ast.FunctionDef)}
        assert function in names, package
