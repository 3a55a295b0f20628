"""Loading a folder's modules on first use: the one mechanism behind each folder's rule.

Each folder's `__init__` says which of its modules load with `import together_batches` and
which on first use, and lists the latter in `ON_FIRST_USE`. A module that needs one of those
imports the folder (`from .. import _workload`) and reaches the module through it when it
runs (`_workload.driver.drive(...)`): the folder's `__getattr__`, made here, imports it then.
Type checkers see the same names through the folder's `TYPE_CHECKING` imports.
tests/test_layout.py holds each folder to its rule.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

__all__ = ["on_first_use"]


def on_first_use(package: str, modules: frozenset[str]) -> Callable[[str], ModuleType]:
    """A module-level `__getattr__` for `package` that imports `modules` when first read.

    Args:
        package: The folder's dotted name (its `__name__`).
        modules: The folder's modules that load on first use.

    Returns:
        The function to bind as the folder's `__getattr__`. Once a module is imported, the
        import system sets it as the folder's attribute, so later reads do not come here.
    """

    def __getattr__(name: str) -> ModuleType:
        if name not in modules:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return importlib.import_module(f"{package}.{name}")

    return __getattr__
