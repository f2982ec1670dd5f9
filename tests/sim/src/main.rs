//! The `vmsnap-sim` binary.
fn main() {}
