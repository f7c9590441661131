//! Runs weir's WebAssembly plugins.
//!
//! A plugin is a `wasm32-wasip2` component implementing one world of the
//! `weir:plugin` WIT package (see `wit/` at the repository root): renderer,
//! chart-renderer, decryptor, encryptor, notifier, tag-policy or (since
//! `@0.2.1`) post-renderer. The host serves `@0.2.x` and, through adapters,
//! components built against `@0.1.0` ([`WitVersion`]). The [`PluginRuntime`] compiles each component once
//! (caching the machine code on disk), and every call then runs in a fresh
//! store with:
//!
//! - the tenant's [`Limits`]: memory, a wall-clock deadline, output size;
//! - only the capabilities its world imports, each limited to what the call
//!   was granted: the directory the call is about, read-only (a renderer's
//!   source tree, a chart); for a notifier, HTTP to its provider's origin;
//!   no sockets;
//! - stdout/stderr captured, capped, and forwarded to `tracing`.
//!
//! Whatever the plugin does, the host gets a typed [`CallError`] or the
//! plugin's own [`types::Error`], and keeps serving other calls.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use std::sync::Arc;
//! use weir_plugin_host::{PluginRuntime, RuntimeConfig};
//! use weir_plugin_host::tag_policy::{Candidate, PolicyRequest, Selection, TagPolicyPlugin};
//!
//! let runtime = Arc::new(PluginRuntime::new(RuntimeConfig::default())?);
//! let plugin = runtime.load_file("target/plugins/tag-policy.wasm".as_ref())?;
//! let policy = TagPolicyPlugin::new(runtime, plugin)?;
//! let request = PolicyRequest {
//!     candidates: vec![Candidate { tag: "v1.2.0".into(), created: None }],
//!     selection: Selection::Semver("^1".into()),
//!     filter: None,
//! };
//! let tag = policy.select("default", &request).await??;
//! # Ok(()) }
//! ```

mod cache;
mod capability;
mod error;
mod limits;
mod output;
mod runtime;
mod wit;
mod worlds;

pub use capability::outbound_http::Origin;
pub use error::{CallError, LoadError};
pub use limits::{Limits, TenantLimits, Usage, UsageMeter};
pub use runtime::{Interfaces, Plugin, PluginRuntime, RuntimeConfig};
pub use wit::types;
pub use worlds::{
    BoundPlugin, WitVersion, chart_renderer, decryptor, encryptor, notifier, post_renderer, renderer, tag_policy,
};
