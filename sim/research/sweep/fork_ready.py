"""Imported last by a sweep's fork server: collect, then freeze what it holds, before it forks a worker.

Everything the fork server has imported (and the kernels it made ready) lives as long as every
worker forked from it. Frozen (``gc.freeze``), those objects are left out of the workers'
collections: a worker's first collection, which otherwise walks all of them, took about 90 ms in
each worker's first chunk (measured in a 2-worker baseline sweep). Like
:mod:`sim.research.sweep.warm_kernels`, importing the module does the work; it defines nothing.
"""

from __future__ import annotations

import gc

gc.collect()
gc.freeze()
