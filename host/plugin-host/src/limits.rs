//! What a plugin call may consume, set per tenant.

use std::collections::HashMap;
use std::time::Duration;

use wasmtime::ResourceLimiter;

/// Resource caps for one plugin call, all in one value. Every call gets its
/// own store, so the caps are per call, not shared across concurrent calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory the plugin may grow to, in bytes, across all its memories.
    pub memory_bytes: usize,
    /// Wall-clock budget for instantiation plus the call, host calls
    /// included: an epoch deadline stops a plugin that computes, a timer one
    /// that waits in a host call.
    pub timeout: Duration,
    /// Bytes of stdout and of stderr kept (each) and forwarded to the log;
    /// more output is dropped, not an error.
    pub output_bytes: usize,
    /// Table elements (function references) the plugin may hold.
    pub table_elements: usize,
}

impl Default for Limits {
    /// Generous enough for a large kustomize overlay or chart, small enough
    /// that a runaway plugin cannot starve the operator.
    fn default() -> Self {
        Self {
            memory_bytes: 256 << 20,
            timeout: Duration::from_secs(30),
            output_bytes: 64 << 10,
            table_elements: 100_000,
        }
    }
}

/// Limits per tenant. A tenant is a namespace: the namespace of the object
/// (Kustomization, HelmRelease, ImagePolicy, ...) a plugin call works for.
#[derive(Debug, Clone, Default)]
pub struct TenantLimits {
    default: Limits,
    tenants: HashMap<String, Limits>,
}

impl TenantLimits {
    /// Limits for every tenant without its own entry.
    pub fn new(default: Limits) -> Self {
        Self { default, tenants: HashMap::new() }
    }

    /// Gives `tenant` its own limits.
    pub fn set(&mut self, tenant: impl Into<String>, limits: Limits) -> &mut Self {
        self.tenants.insert(tenant.into(), limits);
        self
    }

    /// The limits in force for `tenant`.
    pub fn for_tenant(&self, tenant: &str) -> &Limits {
        self.tenants.get(tenant).unwrap_or(&self.default)
    }
}

/// Caps linear memory across all of a call's memories and remembers that
/// it refused, so the failure is reported as a memory limit, not a crash.
pub(crate) struct MemoryLimiter {
    limits: Limits,
    used: usize,
    pub(crate) exceeded: bool,
}

impl MemoryLimiter {
    pub(crate) fn new(limits: Limits) -> Self {
        Self { limits, used: 0, exceeded: false }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let used = self.used.saturating_add(desired.saturating_sub(current));
        if used > self.limits.memory_bytes {
            self.exceeded = true;
            wasmtime::bail!("memory limit of {} bytes exceeded", self.limits.memory_bytes);
        }
        self.used = used;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= self.limits.table_elements)
    }
}
