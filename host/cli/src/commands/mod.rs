pub mod apiserver;
pub mod policy;
