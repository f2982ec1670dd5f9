//! Kubernetes access: connecting, discovery and waiting.
