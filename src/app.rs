//! The one place that wires plan, confirm, execute and render.
