//! Snapshot providers: a closed enum forwarding to each platform's implementation.

pub mod kubevirt;
