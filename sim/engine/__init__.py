"""The simulation engine: the ensemble Mesa model, its state, dynamics, counter-based RNG, triggers and cause record."""
