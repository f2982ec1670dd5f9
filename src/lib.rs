//! kubectl-vmsnap: take, inspect and roll back VM snapshots on Kubernetes virtualization.
//!
//! The library exists so tests can drive the whole command in-process; it makes no semver
//! guarantees.

pub mod app;
pub mod cli;
pub mod cluster;
pub mod completion;
pub mod env;
pub mod error;
pub mod explain;
pub mod flow;
pub mod interrupt;
pub mod model;
pub mod names;
pub mod output;
pub mod platform;
pub mod terminal;
pub mod ui;

pub use app::run;
