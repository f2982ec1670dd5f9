//! Provider-neutral types: VMs, snapshots, phases, consistency, analysis results.
