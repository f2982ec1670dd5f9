//! vmsnap-sim: a simulated Kubernetes API server for kubectl-vmsnap's tests and demo.
