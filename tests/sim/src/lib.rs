//! vmsnap-sim: a simulated Kubernetes cluster speaking the real REST protocol on loopback,
//! with KubeVirt, CDI and CSI snapshot kinds and controllers, for kubectl-vmsnap's tests
//! and demo.
pub mod schema;
pub mod controllers;
