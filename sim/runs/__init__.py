"""Many replications: runner, executors, streaming to disk, parameter sets, experiments (compare)."""
