//! Helm's release records as Helm 3 and Helm 4 keep them in Kubernetes, so
//! that what weir writes the `helm` CLI reads (`list`, `history`, `get`,
//! `status`, `upgrade`, `rollback`, `uninstall`) and what `helm install`
//! wrote weir reads.
//!
//! - [`Release`] and its parts serialize to the JSON Helm's Go structs do:
//!   same names, order and `omitempty`, Helm 4's extra fields optional, and
//!   the zero times as each version writes them, so a decoded record encodes
//!   back to the same JSON.

mod chart;
mod go;
mod release;
mod time;

pub use chart::{Chart, Dependency, File, Lock, Maintainer, Metadata};
pub use release::{
    ApplyMethod, Hook, HookDeletePolicy, HookEvent, HookExecution, HookOutputLogPolicy, HookPhase, Info, Release,
    Status,
};
pub use time::{Timestamp, TimestampError};
