"""Importing Mesa without the spatial modules Trilat never uses (0.3-0.4 s of a one-story run's start-up).

``import mesa`` imports every Mesa sub-package, and three of them pull in scipy.spatial and
networkx for grids, networks and continuous space: about 40% of ``trilat run``'s start-up
(measured with ``python -X importtime``). Trilat uses only ``mesa.Model``, ``mesa.Agent`` and
``mesa.DataCollector``. Before Mesa is first imported, :func:`defer_unused_mesa_modules` puts a
stand-in for each of :data:`DEFERRED` in ``sys.modules``; the stand-in imports the real module
the first time one of its names is used (``mesa.discrete_space.OrthogonalMooreGrid`` works as
usual, only later). Once Mesa is imported nothing is changed, and a module missing from a
future Mesa is simply not deferred. ``sim.engine`` calls it when first imported, which comes
before any ``import mesa`` in Trilat (the agents import ``sim.engine`` first); this module itself
never imports Mesa, so ``trilat list`` still does not.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any

DEFERRED: tuple[str, ...] = ("mesa.discrete_space", "mesa.space", "mesa.experimental.continuous_space")
"""Mesa sub-packages imported only when first used (they import scipy.spatial and networkx)."""


class _Deferred(types.ModuleType):
    """A stand-in module that imports the real one when a name is first looked up in it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # tools probing for dunders do not trigger the import
        return getattr(_load(self.__name__), name)


def _load(name: str) -> types.ModuleType:
    if isinstance(sys.modules.get(name), _Deferred):
        del sys.modules[name]
    real = importlib.import_module(name)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, real)
    return real


def _spec(name: str) -> importlib.machinery.ModuleSpec | None:
    """The spec of a sub-module, found without importing its parents (which would import Mesa)."""
    parts = name.split(".")
    spec = importlib.util.find_spec(parts[0])
    for depth in range(2, len(parts) + 1):
        if spec is None or not spec.submodule_search_locations:
            return None
        spec = importlib.machinery.PathFinder.find_spec(".".join(parts[:depth]), list(spec.submodule_search_locations))
    return spec


def defer_unused_mesa_modules() -> None:
    """Put stand-ins for :data:`DEFERRED` in ``sys.modules`` if Mesa is not imported yet."""
    if "mesa" in sys.modules:
        return
    for name in DEFERRED:
        spec = _spec(name)
        if spec is None or name in sys.modules:
            continue
        module = _Deferred(name)
        module.__spec__, module.__loader__, module.__file__ = spec, spec.loader, spec.origin
        module.__package__ = spec.parent
        if spec.submodule_search_locations is not None:
            module.__path__ = list(spec.submodule_search_locations)
        sys.modules[name] = module
