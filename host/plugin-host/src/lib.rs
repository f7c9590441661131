//! Runs weir's WebAssembly plugins.
//!
//! A plugin is a `wasm32-wasip2` component implementing one world of the
//! `weir:plugin@0.1.0` WIT package (see `wit/` at the repository root):
//! renderer, chart-renderer, decryptor, notifier or tag-policy. The
//! [`PluginRuntime`] compiles each component once (caching the machine code
//! on disk), and every call then runs in a fresh store with:
//!
//! - a memory cap and a wall-clock deadline from the tenant's [`SandboxLimits`];
//! - no filesystem except the one directory the world's call is about,
//!   read-only (a renderer's source tree, a chart);
//! - no sockets; a notifier reaches only its provider's origin through the
//!   `outbound-http` import;
//! - stdout/stderr captured, capped, and forwarded to `tracing`.
//!
//! Whatever the plugin does, the host gets a typed [`CallError`] or the
//! world's own error, and keeps serving other calls.
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
mod error;
mod limits;
mod outbound;
mod output;
mod runtime;
mod worlds;

pub use error::{CallError, LoadError};
pub use limits::{SandboxLimits, TenantLimits};
pub use outbound::Origin;
pub use runtime::{HostState, Plugin, PluginRuntime, RuntimeConfig};
pub use worlds::{BoundPlugin, chart_renderer, decryptor, notifier, renderer, tag_policy, types};
