"""Golden questions, scorers, the eval runner and benchmarks."""
