//! Process entry point: parse arguments, run, map the outcome to an exit code.
fn main() {}
