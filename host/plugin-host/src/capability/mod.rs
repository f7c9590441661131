//! What a plugin may reach beyond its own memory.
//!
//! A [`Capability`] adds its host functions to a world's linker; what one
//! call may do with them is data, the call's [`Grants`], which the world
//! fills in (the source tree a renderer reads, the origin a notifier
//! posts to). Each world names the capabilities its plugins import, so a new
//! world, or a tenant's plugin, adds a capability without touching the
//! runtime.

pub mod outbound_http;
mod wasi;

use wasmtime::component::Linker;

use crate::limits::MemoryLimiter;
use crate::output::CapturedOutput;
pub(crate) use outbound_http::{OutboundGrant, OutboundHttp};
pub(crate) use wasi::{Preopen, Wasi};

/// A set of imports the host provides to plugins.
pub(crate) trait Capability: Sync {
    /// Adds this capability's imports to `linker`.
    fn link(&self, linker: &mut Linker<HostState>) -> wasmtime::Result<()>;
}

/// What one call may reach.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grants {
    /// Host directories the plugin sees, read-only.
    pub(crate) preopens: Vec<Preopen>,
    /// Origins the plugin may send HTTP requests to.
    pub(crate) outbound: OutboundGrant,
    /// Environment variables the plugin sees.
    pub(crate) env: Vec<(String, String)>,
}

/// The store's data: the per-call state of every capability, and the
/// memory limiter. Host functions reach nothing else.
pub struct HostState {
    wasi: wasi::WasiState,
    outbound: outbound_http::CallState,
    pub(crate) limiter: MemoryLimiter,
}

/// Where a call's output goes, and when it must be over.
pub(crate) struct CallContext {
    pub(crate) stdout: CapturedOutput,
    pub(crate) stderr: CapturedOutput,
    pub(crate) deadline: std::time::Instant,
}

impl HostState {
    /// The state of one call that may reach what `grants` grant.
    pub(crate) fn new(grants: Grants, call: &CallContext, limiter: MemoryLimiter) -> Result<Self, String> {
        Ok(Self {
            wasi: wasi::WasiState::new(&grants.preopens, &grants.env, call)?,
            outbound: outbound_http::CallState::new(grants.outbound, call.deadline),
            limiter,
        })
    }
}
