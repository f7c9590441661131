//! Go standard-library behaviours that weir's components must reproduce to
//! the bit, because Flux, Helm and kustomize are Go programs and their users'
//! files were written against Go's reading of them.

pub mod json;
pub mod strconv;
pub mod time;
pub mod timestamp;
