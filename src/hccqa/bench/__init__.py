"""Benchmarks: latency and memory, soak and load, scaling, PubMedQA."""
