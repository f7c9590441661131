//! weir-helm-storage against Helm: its record shapes and encoding, its
//! history rules, and the helm CLI (v3.18) reading what the crate writes
//! and writing what it reads, on the embedded API server.

mod cluster;
mod helm_written;
mod history;
mod records;
mod secret;
mod store;
mod time;
mod weir_written;
