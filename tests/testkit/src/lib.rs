//! What weir's tests and benchmarks share, as one crate instead of files
//! included by `#[path]`: a test depends on `weir-testkit` as a
//! dev-dependency and uses the modules it needs.
//!
//! Nothing here is a mock: the servers are real ones on loopback and the
//! corpora are files under `testdata/`, which the reference tools read too.

pub mod charts;
#[cfg(feature = "cluster")]
pub mod cluster;
pub mod corpus;
pub mod git;
pub mod manifests;
pub mod net;
pub mod oci;
pub mod paths;
pub mod process;
pub mod s3;
pub mod registry;
pub mod tls;
