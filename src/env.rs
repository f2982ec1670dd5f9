//! The process seam: writers, the Ui, the clock and where the cluster comes from.
