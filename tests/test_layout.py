"""The floor plan holds: which way imports run between the overlay's rooms, read from the
source (every import, including those inside functions), followed transitively."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

OVERLAY = Path(__file__).resolve().parent.parent / "overlay"
PACKAGE = OVERLAY / "together_batches"

#: The client core: what sends requests, or runs the waits' threads and tasks.
CLIENT_CORE = frozenset({
    "together_batches._client", "together_batches._http.sending", "together_batches.resources.batches",
    "together_batches.resources.batches_async", "together_batches.resources.waits",
    "together_batches.resources.files", "together_batches._wait.threads",
    "together_batches._wait.tasks",
})  # fmt: skip
#: The pure modules: decisions and values, no I/O.
PURE = (
    "together_batches._http.retry", "together_batches._wait.options", "together_batches._wait.state",
    "together_batches._wait.core", "together_batches._wait.schedule", "together_batches._http.deadlines", "together_batches._wait.callbacks",
    "together_batches._status", "together_batches._http.ids", "together_batches._models",
    "together_batches._file_models", "together_batches._exceptions", "together_batches._config",
    "together_batches._workload.records", "together_batches._workload.events",
    "together_batches._workload.plan", "together_batches._workload.results",
    "together_batches._workload.progress",
)  # fmt: skip
#: What a pure module may not reach, directly or through another module.
IO_MODULES = CLIENT_CORE | {
    "together_batches._clock", "together_batches.cli", "together_batches.testing",
}  # fmt: skip
IO_STDLIB = frozenset({"asyncio", "socket", "subprocess", "queue", "time", "selectors"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(OVERLAY).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _path(module: str) -> Path | None:
    base = OVERLAY.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


@cache
def _imports(module: str) -> frozenset[str]:
    """The modules `module` imports (absolute names), anywhere in its source."""
    path = _path(module)
    assert path is not None, module
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = node.module or ""
            if node.level:
                target = f"{base}.{target}" if target else base
            submodules = {f"{target}.{a.name}" for a in node.names if _path(f"{target}.{a.name}")}
            # `from . import _calls` imports a module, not a name of the package.
            found.update(submodules or {target})
    # A module's parent packages run first whatever it imports: that is no edge of its own.
    parents = {module.rsplit(".", depth)[0] for depth in range(1, module.count(".") + 1)}
    return frozenset(found - parents - {module})


def _reach(module: str) -> set[str]:
    """Every module `module` reaches through the overlay's imports, itself excluded."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in _imports(todo.pop()):
            if name not in seen:
                seen.add(name)
                if name.startswith("together_batches") and _path(name) is not None:
                    todo.append(name)
    return seen


def _within(names: set[str], rooms: frozenset[str] | set[str]) -> set[str]:
    return {n for n in names if any(n == r or n.startswith(r + ".") for r in rooms)}


def _modules_under(folder: Path) -> list[str]:
    return sorted(_module_name(p) for p in folder.rglob("*.py"))


@pytest.mark.parametrize("module", _modules_under(PACKAGE / "testing"))
def test_the_emulator_imports_neither_the_client_core_nor_the_cli(module: str) -> None:
    # It serves the API; the client is what it is tested with. Its clock bridge
    # (`fast_forward`) reaches only the client's time source, `_clock`, a leaf module.
    reached = _within(_reach(module), CLIENT_CORE | {"together_batches.cli"})
    assert not reached, f"{module} reaches {sorted(reached)}"


@pytest.mark.parametrize("module", PURE)
def test_the_pure_modules_import_no_io_module(module: str) -> None:
    reached = _within(_reach(module), IO_MODULES) | (_reach(module) & IO_STDLIB)
    assert not reached, f"{module} reaches {sorted(reached)}"


def test_nothing_outside_the_cli_imports_from_it() -> None:
    outside = [m for m in _modules_under(PACKAGE) if not m.startswith("together_batches.cli")]
    users = [m for m in outside if m != "together_batches.__main__" and _within(
        set(_imports(m)), {"together_batches.cli"})]  # fmt: skip
    assert users == []


def test_the_async_waiter_does_not_lean_on_the_sync_one() -> None:
    assert "together_batches._wait.threads" not in _imports("together_batches._wait.tasks")


def test_the_checker_sees_imports_inside_functions() -> None:
    # AsyncBatches imports the async waiter inside its methods: the walk must see it.
    assert "together_batches._wait.tasks" in _imports("together_batches.resources.batches_async")


@pytest.mark.parametrize(
    "module",
    [m for m in _modules_under(PACKAGE) if not m.startswith("together_batches.testing._app")],
)
def test_no_module_is_over_300_lines(module: str) -> None:
    path = _path(module)
    assert path is not None
    lines = len(path.read_text().splitlines())
    assert lines <= 300, f"{module} has {lines} lines: split it by what it holds"
