"""Research: experiment files, samplers, sweeps, analysis and scenario signature checks."""
