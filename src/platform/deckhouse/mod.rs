//! Deckhouse Virtualization: VM and disk snapshots, restores and clones through operations
//! with a dry run first.

pub mod api;
pub mod commands;
pub mod report;
