pub mod apiserver;
pub mod kustomize;
pub mod policy;
