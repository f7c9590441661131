//! End to end: a real `git daemon`, the embedded API server and weir's
//! controllers in this process, one module per behaviour (as Flux's tests are
//! laid out), all in one binary so the large link happens once.

mod common;
/// weir-source's loopback Git servers (smart HTTP via `git http-backend`).
#[path = "../../../source/tests/common/mod.rs"]
mod source_fixtures;

mod bad_commit;
mod cross_namespace;
mod decryption;
mod depends_on;
mod drift;
mod force;
mod git_recovery;
mod health;
mod http_source;
mod impersonation;
mod ordering;
mod prune;
mod suspend;
mod sync;
mod varsub;
