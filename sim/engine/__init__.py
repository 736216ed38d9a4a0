"""The simulation engine: the ensemble Mesa model, its state, dynamics, counter-based RNG, triggers and cause record."""

from sim.engine.mesa_loading import defer_unused_mesa_modules

defer_unused_mesa_modules()  # before anything imports Mesa: its spatial modules and pandas load only if used
