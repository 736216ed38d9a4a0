"""Samplers: the design of an experiment in unit coordinates, and factors that map it to values.

Each sampler draws in the unit hypercube from the experiment seed (``grid``: the factors' levels;
``montecarlo``: independent uniforms; ``lhs``: scipy's Latin hypercube; ``sobol``: SALib's
Saltelli design; ``morris``: SALib's trajectories); :meth:`Factor.from_unit` maps each column to
parameter values.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from sim.research.experiment_spec import DEFAULT_GRID_LEVELS, DEFAULT_MORRIS_LEVELS, ExperimentSpec


@dataclass(frozen=True)
class Factor:
    """A varied parameter, resolved against its scenarios: how unit coordinates map to values.

    Attributes:
        name: the parameter name.
        distribution: ``values`` (a discrete list), ``uniform``, ``normal`` (truncated to the
            range) or ``loguniform``.
        low: lower end of the range (or the smallest value).
        high: upper end of the range (or the largest value).
        values: the listed values, for ``values``.
        mean: mean of a normal distribution.
        sd: standard deviation of a normal distribution.
        levels: number of grid levels (``grid`` sampler).
    """

    name: str
    distribution: str
    low: float
    high: float
    values: tuple[float, ...] = ()
    mean: float = 0.0
    sd: float = 1.0
    levels: int = DEFAULT_GRID_LEVELS

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map unit coordinates in [0, 1] to parameter values (the inverse CDF).

        Args:
            u: unit coordinates.

        Returns:
            The parameter values, always inside ``[low, high]``.
        """
        u = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
        if self.distribution == "values":
            index = np.minimum((u * len(self.values)).astype(np.int64), len(self.values) - 1)
            return np.asarray(self.values, dtype=np.float64)[index]
        if self.distribution == "uniform":
            out = self.low + u * (self.high - self.low)
        elif self.distribution == "loguniform":
            out = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            from scipy.stats import truncnorm  # heavy: imported only for a normal distribution

            a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
            out = truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd)
        out = np.where(u <= 0.0, self.low, np.where(u >= 1.0, self.high, out))
        return np.clip(out, self.low, self.high)

    def grid_units(self) -> np.ndarray:
        """Unit coordinates of this factor's grid levels (the listed values, or ``levels`` quantiles)."""
        if self.distribution == "values":
            k = len(self.values)
            return (np.arange(k) + 0.5) / k
        return np.linspace(0.0, 1.0, self.levels)


def design_size(spec: ExperimentSpec, factors: list[Factor]) -> int:
    """Design points per scenario for a spec and its factors."""
    d = len(factors)
    if spec.sampler == "grid":
        return math.prod(len(f.values) if f.distribution == "values" else f.levels for f in factors)
    n = spec.samples or 0
    if spec.sampler == "sobol":
        return n * (2 * d + 2 if spec.second_order else d + 2)
    if spec.sampler == "morris":
        return n * (d + 1)
    return n


def sample_units(spec: ExperimentSpec, names: list[str], factors: list[Factor] | None = None) -> np.ndarray:
    """The unit-hypercube sample of a spec (``factors`` is needed for ``grid`` only).

    Args:
        spec: the validated experiment spec (sampler, samples, levels, seed).
        names: the varied parameters, in file order.
        factors: the resolved factors (their levels make the grid).

    Returns:
        An array of shape (points per scenario, len(names)) in [0, 1].
    """
    d = len(names)
    n = spec.samples or 0
    seed = spec.seed
    if spec.sampler == "grid":
        if factors is None:
            raise ValueError("a grid needs its factors")
        axes = [f.grid_units() for f in factors]
        return np.array(list(itertools.product(*axes)), dtype=np.float64).reshape(-1, d)
    if spec.sampler == "montecarlo":
        return np.random.default_rng(seed).random((n, d))
    if spec.sampler == "lhs":
        from scipy.stats import qmc  # heavy: imported only by the samplers that use it

        try:
            engine = qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed))
        except TypeError:  # scipy < 1.15 names it seed
            engine = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed))
        return engine.random(n)
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    if spec.sampler == "sobol":
        from SALib.sample import sobol  # heavy: imported only by the samplers that use it

        return np.asarray(sobol.sample(problem, n, calc_second_order=spec.second_order, seed=seed), dtype=np.float64)
    from SALib.sample import morris  # heavy: imported only by the samplers that use it

    levels = spec.levels or DEFAULT_MORRIS_LEVELS
    return np.asarray(morris.sample(problem, n, num_levels=levels, seed=seed), dtype=np.float64)
