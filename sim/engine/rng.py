"""Counter-based random numbers: every draw is a pure function of (seed, replication, turn, stream).

Replication ``k`` therefore sees exactly the same numbers whether it runs alone, inside an
ensemble of any size, in any order, on any worker, or after a resume. The generator is a
SplitMix64-style hash applied to a key built from (seed, turn, stream, slot) and to the
replication index; it is vectorized over replications with numpy's wrapping uint64 arithmetic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.engine import mathlib

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / float(1 << 53)


def _mix_int(z: int) -> int:
    """SplitMix64 finalizer on a Python int (used for keys, computed once per draw call)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _mix_array(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer, vectorized (uint64 arithmetic wraps modulo 2**64)."""
    z = z ^ (z >> _S30)
    z = z * _M1
    z = z ^ (z >> _S27)
    z = z * _M2
    return z ^ (z >> _S31)


def stream_id(name: str) -> int:
    """A stable 64-bit stream id for a name such as ``"rule:summit/chance"``.

    Uses BLAKE2 so the id does not depend on Python's per-process string hashing.
    """
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


class CounterRNG:
    """Random draws for a set of replications, addressed by (turn, stream, slot).

    Args:
        seed: the ensemble's seed (any non-negative integer).
        replications: the replication indices these worlds carry (need not be contiguous).
        compiled: draw with the compiled kernels (:mod:`sim.engine.kernels`; the same bits).
    """

    def __init__(self, seed: int, replications: np.ndarray, compiled: bool = False) -> None:
        self.seed = int(seed)
        self.replications = np.asarray(replications, dtype=np.uint64)
        self._seed_key = _mix_int(_mix_int(self.seed & _MASK) ^ 0x5EED5EED5EED5EED)
        self.compiled = compiled

    def key(self, turn: int, stream: int, slot: int = 0) -> int:
        """The 64-bit key of one (turn, stream, slot)."""
        key = _mix_int(self._seed_key ^ _mix_int((stream + _GOLDEN * (turn + 1)) & _MASK))
        return _mix_int(key ^ ((slot + 1) * _GOLDEN))

    def keys(self, turn: int, stream: int, slots: int, slot: int = 0) -> list[int]:
        """The keys of ``slots`` consecutive slots from ``slot`` (each :meth:`key`; the stream hashed once)."""
        key = _mix_int(self._seed_key ^ _mix_int((stream + _GOLDEN * (turn + 1)) & _MASK))
        return [_mix_int(key ^ ((s + 1) * _GOLDEN)) for s in range(slot, slot + slots)]

    def block_keys(self, turn: int, stream: int, slots: int, slot: int = 0) -> np.ndarray:
        """:meth:`keys` as a uint64 array, for a kernel that draws those slots itself (``kernels.source.unit``)."""
        return np.array(self.keys(turn, stream, slots, slot), dtype=np.uint64)

    def bits(self, turn: int, stream: int, slot: int = 0) -> np.ndarray:
        """64 random bits per replication for this (turn, stream, slot)."""
        key = self.key(turn, stream, slot)
        z = self.replications * np.uint64(_GOLDEN) + np.uint64(key)
        return _mix_array(_mix_array(z) ^ np.uint64(key))

    def uniform(self, turn: int, stream: int, slot: int = 0) -> np.ndarray:
        """Uniform floats in [0, 1), one per replication."""
        if self.compiled:
            return self.uniform_block(turn, stream, 1, slot=slot)[0]
        return (self.bits(turn, stream, slot) >> _S11).astype(np.float64) * _TO_UNIT

    def uniform_block(self, turn: int, stream: int, slots: int, scale: float = 1.0, slot: int = 0) -> np.ndarray:
        """``slots`` consecutive slots' uniform draws times ``scale``, shape (slots, replications)."""
        if not self.compiled:
            return np.array([self.uniform(turn, stream, slot + s) for s in range(slots)]) * scale
        from sim.engine import kernels

        keys = self.block_keys(turn, stream, slots, slot)
        out = np.empty((slots, len(self.replications)))
        kernels.load().uniform_block(self.replications, keys, float(scale), out)
        return out

    def normal(self, turn: int, stream: int, slot: int = 0, scale: Any = None) -> np.ndarray:
        """Standard normal floats (Box-Muller on two independent uniforms), times ``scale`` if given.

        log1p and cos come from :mod:`sim.engine.mathlib`, so the compiled path gets the same bits.
        ``normal(t, s, scale=c)`` is ``normal(t, s) * c`` (a float or one value per replication),
        with the product made in the compiled kernel.
        """
        if self.compiled:
            return self.normals(turn, (stream,), slot, scale)[0]
        u1 = self.uniform(turn, stream, 2 * slot)
        u2 = self.uniform(turn, stream, 2 * slot + 1)
        values = np.sqrt(-2.0 * mathlib.log1p(-u1)) * mathlib.cos(2.0 * np.pi * u2)
        return values if scale is None else values * scale

    def normals(self, turn: int, streams: Sequence[int], slot: int = 0, scale: Any = None) -> np.ndarray:
        """:meth:`normal` of several streams in one call, shape (streams, replications).

        Row ``i`` is ``normal(turn, streams[i], slot, scale)``; ``scale`` is a float or one value
        per replication, the same for every row. The compiled path draws them all in one kernel call.
        """
        if not self.compiled:
            return np.array([self.normal(turn, stream, slot, scale) for stream in streams]).reshape(
                len(streams), len(self.replications)
            )
        from sim.engine import kernels

        keys = np.array([self.keys(turn, stream, 2, 2 * slot) for stream in streams], dtype=np.uint64)
        factors = np.ones(1) if scale is None else np.ascontiguousarray(scale, dtype=np.float64).reshape(-1)
        if factors.shape[0] not in (1, len(self.replications)):
            raise ValueError(f"scale has {factors.shape[0]} values for {len(self.replications)} replications")
        out = np.empty((len(streams), len(self.replications)))
        kernels.load().normal_pairs(self.replications, keys.reshape(-1, 2), factors, scale is not None, out)
        return out
