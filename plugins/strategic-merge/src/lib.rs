//! Kubernetes strategic merge patch: being written, see issue 4.
