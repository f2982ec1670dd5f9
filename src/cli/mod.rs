//! Command-line arguments (clap only: no kube, no I/O).
