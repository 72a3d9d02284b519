"""Benchmark scenarios for `grid-console bench`: each figure beside a baseline from the same run."""
