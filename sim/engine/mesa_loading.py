"""Importing Mesa without the modules Trilat never uses (about half of a one-story run's start-up).

``import mesa`` imports every Mesa sub-package. Three of them pull in scipy.spatial and networkx
for grids, networks and continuous space, and ``mesa.agent`` and Mesa's experimental data
recorders import pandas (with pyarrow) at the top of the module although they use it only inside
functions (``Agent.from_dataframe``, ``DataCollector.get_model_vars_dataframe``, the recorders'
tables). Trilat uses only ``mesa.Model``, ``mesa.Agent`` and ``mesa.DataCollector``, and reads
no Mesa dataframe in a run (measured with ``python -X importtime``: docs/performance.md).

Before Mesa is first imported, :func:`defer_unused_mesa_modules` does two things:

- it puts a stand-in for each of :data:`DEFERRED` in ``sys.modules``; the stand-in imports the
  real module the first time one of its names is used (``mesa.discrete_space.OrthogonalMooreGrid``
  works as usual, only later); the stand-in for each of :data:`DEFERRED_FUNCTIONS` (Mesa's batch
  runner) holds a function that imports the real module at its first call (``mesa.batch_run``
  works as usual);
- it adds a finder to ``sys.meta_path`` that sees the first ``import mesa`` (whoever makes it)
  and, while Mesa's own modules run, and only then, lets ``import pandas`` give a stand-in
  (:data:`DEFERRED_WHILE_IMPORTING`) that imports pandas when one of its names is first used.
  When Mesa is imported the finder is gone and the stand-in leaves ``sys.modules``: any later
  ``import pandas`` is an ordinary import, and Mesa's modules hold the stand-in, which hands on
  every name of the real pandas.

Once Mesa is imported nothing is changed, and a module missing from a future Mesa is simply not
deferred. ``sim.engine`` calls it when first imported, which comes before any ``import mesa`` in
Trilat (the agents import ``sim.engine`` first); this module itself never imports Mesa, so
``trilat list`` still does not.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import importlib.abc  # for the type checker only: importing it costs 17 ms of start-up

DEFERRED: tuple[str, ...] = ("mesa.discrete_space", "mesa.space", "mesa.experimental.continuous_space")
"""Mesa sub-packages imported only when first used (they import scipy.spatial and networkx)."""

DEFERRED_FUNCTIONS: dict[str, tuple[str, ...]] = {"mesa.batchrunner": ("batch_run",)}
"""Mesa modules its ``__init__`` imports only to export a function: a stand-in module holds a
function of that name that imports the real module at its first call (``mesa.batchrunner``
imports ``tqdm.auto``, which imports asyncio: 80-130 ms of a one-story run's start-up)."""

DEFERRED_WHILE_IMPORTING: tuple[str, ...] = ("pandas",)
"""Packages Mesa's modules import at their top but use only inside functions: while Mesa is being
imported, ``import pandas`` gives a stand-in that imports pandas when first used."""


class _Deferred(types.ModuleType):
    """A stand-in module that imports the real one when a name is first looked up in it."""

    def __getattr__(self, name: str) -> Any:
        if name == "__path__" and self.__name__ in DEFERRED_WHILE_IMPORTING:
            return _load(self.__name__).__path__  # a sub-module is imported: the real package first
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # tools probing for dunders do not trigger the import
        return getattr(_load(self.__name__), name)


def _load(name: str) -> types.ModuleType:
    if isinstance(sys.modules.get(name), _Deferred):
        del sys.modules[name]
    real = importlib.import_module(name)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, real)
    return real


def _forwarder(module_name: str, function: str) -> Callable[..., Any]:
    """A function that imports ``module_name`` at its first call and calls its ``function``."""

    def forward(*args: Any, **kwargs: Any) -> Any:
        return getattr(_load(module_name), function)(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = function
    forward.__module__ = module_name
    forward.__doc__ = f"``{module_name}.{function}``; the module is imported at the first call."
    return forward


def _spec(name: str) -> importlib.machinery.ModuleSpec | None:
    """The spec of a sub-module, found without importing its parents (which would import Mesa)."""
    parts = name.split(".")
    spec = importlib.util.find_spec(parts[0])
    for depth in range(2, len(parts) + 1):
        if spec is None or not spec.submodule_search_locations:
            return None
        spec = importlib.machinery.PathFinder.find_spec(".".join(parts[:depth]), list(spec.submodule_search_locations))
    return spec


def _stand_in(name: str, spec: importlib.machinery.ModuleSpec, package: bool) -> _Deferred:
    module = _Deferred(name)
    module.__spec__, module.__loader__, module.__file__ = spec, spec.loader, spec.origin
    module.__package__ = spec.parent
    if package and spec.submodule_search_locations is not None:
        module.__path__ = list(spec.submodule_search_locations)
    return module


class _Imported:
    """The loader of a module already in ``sys.modules``: it hands it over and runs nothing."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return sys.modules[spec.name]

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the module ran when its package was imported."""


class _SubmoduleGuard:
    """While a stand-in is in ``sys.modules``: a sub-module its real package imported is not run again.

    ``import pandas.api`` under a stand-in asks the stand-in for ``__path__``, which imports pandas
    (and with it ``pandas.api``); Python's import then looks for ``pandas.api`` anyway, and this
    finder, first in ``sys.meta_path``, answers with the module already imported.
    """

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] in DEFERRED_WHILE_IMPORTING and fullname in sys.modules:
            return importlib.util.spec_from_loader(fullname, cast("importlib.abc.Loader", _Imported()))
        return None


@contextmanager
def deferred_while_importing(names: Sequence[str] = DEFERRED_WHILE_IMPORTING) -> Iterator[None]:
    """Within the block, ``import NAME`` (for each of ``names`` not imported yet) gives a stand-in.

    Afterwards the stand-ins leave ``sys.modules`` (an ordinary import follows); a module that
    imported one within the block keeps it, and it hands on every name of the real module.
    """
    placed = {}
    for name in names:
        spec = None if name in sys.modules else importlib.util.find_spec(name)
        if spec is not None:
            placed[name] = sys.modules[name] = _stand_in(name, spec, package=False)
    guard = _SubmoduleGuard()
    sys.meta_path.insert(0, guard)
    try:
        yield
    finally:
        sys.meta_path.remove(guard)
        for name, module in placed.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


class _MesaImport:
    """Sees the first ``import mesa`` and runs Mesa's ``__init__`` within :func:`deferred_while_importing`."""

    def __init__(self) -> None:
        self.loader: Any = None  # Mesa's own loader, once found

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "mesa" or self.loader is not None:
            return None
        for finder in sys.meta_path:
            found = None if finder is self else getattr(finder, "find_spec", lambda *_: None)(fullname, path, target)
            if found is not None and found.loader is not None:
                self.loader, found.loader = found.loader, self
                return found
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        """Run Mesa's ``__init__`` (which imports all of Mesa) with pandas deferred; then step aside."""
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader  # Mesa looks imported as usual
        try:
            with deferred_while_importing():
                self.loader.exec_module(module)
            for name in DEFERRED_FUNCTIONS:  # Python sets no package attribute for a module it found in place
                parent, _, child = name.rpartition(".")
                if parent == module.__name__ and name in sys.modules and not hasattr(module, child):
                    setattr(module, child, sys.modules[name])
        finally:
            if self in sys.meta_path:
                sys.meta_path.remove(self)


def defer_unused_mesa_modules() -> None:
    """Defer :data:`DEFERRED`, and :data:`DEFERRED_WHILE_IMPORTING` while Mesa imports (if it is not imported yet)."""
    if "mesa" in sys.modules:
        return
    for name in DEFERRED:
        spec = _spec(name)
        if spec is None or name in sys.modules:
            continue
        sys.modules[name] = _stand_in(name, spec, package=True)
    for name, functions in DEFERRED_FUNCTIONS.items():
        spec = _spec(name)
        if spec is None or name in sys.modules:
            continue
        module = sys.modules[name] = _stand_in(name, spec, package=False)
        for function in functions:
            setattr(module, function, _forwarder(name, function))
    if not any(isinstance(finder, _MesaImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _MesaImport())
