//! Bulk loading of generated data (see `fenglai gen`).
