//! Rendering reports as kubectl-style tables, JSON, YAML or names.
