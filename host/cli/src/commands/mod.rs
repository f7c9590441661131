pub mod apiserver;
pub mod flux;
pub mod kustomize;
pub mod policy;
