//! Simulated KubeVirt controllers: VM lifecycle, snapshots, restores and clones, with scripted timing.
