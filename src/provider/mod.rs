//! Snapshot providers: a closed enum forwarding to each platform's implementation.

pub mod detect;
pub mod kubevirt;

pub use detect::{Detected, ProviderKind, choose};
