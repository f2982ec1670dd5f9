//! Shell completion: static scripts generated from the clap definition and the dynamic protocol kubectl uses for plugins.
//!
//! Two ways in:
//! - [`generate`] writes a static bash/zsh/fish/PowerShell script (clap_complete) that
//!   completes the `kubectl-vmsnap` executable itself. These are checked in under
//!   `completions/` and printed by `kubectl vmsnap completion SHELL`.
//! - For `kubectl vmsnap …`, kubectl (1.26+) itself completes: it runs the executable
//!   `kubectl_complete-vmsnap` from PATH with the words after `vmsnap` (the last one is the
//!   word under the cursor) and reads one candidate per line plus a final `:<directive>`
//!   line (Cobra's ShellCompDirective). The shim in `completions/` runs
//!   `kubectl vmsnap __complete WORDS…`, which lands in [`respond`].
//!
//! The `__complete` side is implemented here rather than with clap_complete's dynamic
//! engine: that engine sits behind the `unstable-dynamic` feature (no stability promise,
//! extra dependencies), its value completers are synchronous, and it cannot express Cobra's
//! directives. What it needs from clap is small: walk the words against the `Command` tree.
//!
//! Which values are looked up live is decided from the clap definition, so the CLI stays
//! the single source of truth: an argument whose value name (or id) is `NAMESPACE`, `VM(S)`
//! or `SNAPSHOT(S)` completes namespaces, VMs or snapshots ([`ValueKind`]); arguments with
//! possible values complete those; path-valued arguments fall back to the shell's file
//! completion. `oc vmsnap` runs the same binary; whether `oc` consults
//! `kubectl_complete-vmsnap` depends on the oc release.

mod lookups;
mod protocol;
mod scripts;
#[cfg(test)]
mod tests;

pub use lookups::KubeNames;
pub use protocol::*;
pub use scripts::*;
