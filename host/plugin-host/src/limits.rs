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
    pub(crate) used: usize,
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

/// What the calls of one plugin used, recorded when a meter is attached
/// ([`crate::Plugin::with_meter`]): for `weir plugin test` and benchmarks.
#[derive(Debug, Default)]
pub struct UsageMeter {
    calls: std::sync::atomic::AtomicU64,
    last_memory: std::sync::atomic::AtomicUsize,
    peak_memory: std::sync::atomic::AtomicUsize,
    last_nanos: std::sync::atomic::AtomicU64,
}

/// A reading of a [`UsageMeter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub calls: u64,
    /// Linear memory the last call grew to, in bytes.
    pub last_memory_bytes: usize,
    /// The most any call grew to.
    pub peak_memory_bytes: usize,
    /// Instantiation plus the last call, wall-clock.
    pub last_call: Duration,
}

impl UsageMeter {
    pub(crate) fn record(&self, memory_bytes: usize, elapsed: Duration) {
        use std::sync::atomic::Ordering::Relaxed;
        self.calls.fetch_add(1, Relaxed);
        self.last_memory.store(memory_bytes, Relaxed);
        self.peak_memory.fetch_max(memory_bytes, Relaxed);
        self.last_nanos.store(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX), Relaxed);
    }

    pub fn read(&self) -> Usage {
        use std::sync::atomic::Ordering::Relaxed;
        Usage {
            calls: self.calls.load(Relaxed),
            last_memory_bytes: self.last_memory.load(Relaxed),
            peak_memory_bytes: self.peak_memory.load(Relaxed),
            last_call: Duration::from_nanos(self.last_nanos.load(Relaxed)),
        }
    }
}
