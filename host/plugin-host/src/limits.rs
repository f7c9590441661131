//! What a plugin call may consume, set per tenant.

use std::collections::HashMap;
use std::time::Duration;

/// Resource caps for one plugin call. Every call gets its own store, so the
/// caps are per call, not shared across concurrent calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxLimits {
    /// Linear memory the plugin may grow to, in bytes, across all its memories.
    pub memory_bytes: usize,
    /// Wall-clock budget for instantiation plus the call, host calls included.
    pub timeout: Duration,
    /// Bytes of stdout and of stderr kept (each) and forwarded to the log;
    /// more output is dropped, not an error.
    pub output_bytes: usize,
    /// Table elements (function references) the plugin may hold.
    pub table_elements: usize,
}

impl Default for SandboxLimits {
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
    default: SandboxLimits,
    tenants: HashMap<String, SandboxLimits>,
}

impl TenantLimits {
    /// Limits for every tenant without its own entry.
    pub fn new(default: SandboxLimits) -> Self {
        Self { default, tenants: HashMap::new() }
    }

    /// Gives `tenant` its own limits.
    pub fn set(&mut self, tenant: impl Into<String>, limits: SandboxLimits) -> &mut Self {
        self.tenants.insert(tenant.into(), limits);
        self
    }

    /// The limits in force for `tenant`.
    pub fn for_tenant(&self, tenant: &str) -> &SandboxLimits {
        self.tenants.get(tenant).unwrap_or(&self.default)
    }
}
