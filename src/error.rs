//! User-facing error kinds with exit codes and hints.
