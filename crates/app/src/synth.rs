//! Synthetic data for the demo and for benchmarks.
