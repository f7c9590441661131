//! Applying rendered manifests to a cluster the way Flux's kustomize-controller
//! does, for any controller that owns a set of objects:
//!
//! - [`object`]: manifests parsed from a YAML stream, their identities and the
//!   inventory entries (`<namespace>_<name>_<group>_<kind>`) that record them;
//! - [`manager`]: server-side apply in stages (CRDs and Namespaces first, then
//!   the rest, cluster-scoped before namespaced), every object dry-run before
//!   anything is written, drift reported as the fields that change; pruning of
//!   what left the source;
//! - [`health`]: kstatus-style readiness, and waiting for it.
//!
//! Everything here goes through the `kube::Client` it is given, so a caller
//! that impersonates a tenant's service account confines every call to what
//! RBAC grants that account.

pub mod health;
pub mod manager;
pub mod object;

pub use health::{HealthError, Readiness};
pub use manager::{Action, ApplyError, ApplyMethod, ApplyOptions, Change, ChangeSet, Owner, ResourceManager};
pub use object::{Object, ObjectId, ParseError, parse_stream};
