//! Helm's release records as Helm 3 and Helm 4 keep them in Kubernetes, so
//! that what weir writes the `helm` CLI reads (`list`, `history`, `get`,
//! `status`, `upgrade`, `rollback`, `uninstall`) and what `helm install`
//! wrote weir reads.
//!
//! - [`Release`] and its parts serialize to the JSON Helm's Go structs do:
//!   same names, order and `omitempty`, Helm 4's extra fields optional, and
//!   the zero times as each version writes them, so a decoded record encodes
//!   back to the same JSON.
//! - [`to_secret`] / [`from_secret`] are Helm's Secret driver: name, type,
//!   labels and base64(gzip(JSON)) data.
//! - [`history`] holds the pure rules over a release's revisions (latest,
//!   deployed, next version, pruning, superseding).
//! - [`ReleaseStore`] reads and writes those Secrets in one namespace.

mod chart;
mod go;
pub mod history;
mod release;
mod secret;
mod store;
mod time;

pub use chart::{Chart, Dependency, File, Lock, Maintainer, Metadata};
pub use release::{
    ApplyMethod, Hook, HookDeletePolicy, HookEvent, HookExecution, HookOutputLogPolicy, HookPhase, Info, Release,
    Status,
};
pub use secret::{
    CodecError, DATA_KEY, DecodeError, GZIP_MAGIC, OWNER, SECRET_TYPE, SYSTEM_LABELS, Stamp, decode_release,
    encode_release, from_secret, secret_name, to_secret,
};
pub use store::{ReleaseStore, StoreError};
pub use time::{Timestamp, TimestampError};
