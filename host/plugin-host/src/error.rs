//! Typed failures of the plugin runtime. A plugin's own, expected failures
//! (a bad kustomization, no matching tag) are the WIT `error` record,
//! [`crate::types::Error`]; these are what happens around them.

use std::path::PathBuf;
use std::time::Duration;

/// Loading or preparing a component failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read plugin {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("plugin {name} is not a valid WebAssembly component: {reason}")]
    Invalid { name: String, reason: String },
    #[error("plugin {name} does not implement the {world} world of {version}: {reason}")]
    WrongWorld { name: String, world: &'static str, version: String, reason: String },
    /// The component imports something its world's capabilities do not provide (sockets, an
    /// interface of another world): nothing a call could be granted satisfies it.
    #[error("plugin {name} imports what the {world} world does not grant: {reason}")]
    ImportNotGranted { name: String, world: &'static str, reason: String },
    #[error("plugin engine could not start: {0}")]
    Engine(String),
}

/// A plugin call did not return normally.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("plugin {plugin} exceeded its time limit of {limit:?}")]
    Timeout { plugin: String, limit: Duration },
    #[error("plugin {plugin} exceeded its memory limit of {limit} bytes")]
    MemoryLimit { plugin: String, limit: usize },
    #[error("plugin {plugin} trapped: {reason}")]
    Trap { plugin: String, reason: String },
    #[error("plugin {plugin} could not be run: {reason}")]
    Setup { plugin: String, reason: String },
}
