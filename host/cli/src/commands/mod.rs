pub mod apiserver;
pub mod build;
pub mod dev;
pub mod flux;
pub mod kustomize;
pub mod policy;
pub mod reconcile;
pub mod sops;
