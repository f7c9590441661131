//! Shared by the host's integration tests: where the built components are,
//! a runtime with small, fast limits for a `strict` tenant, and requests.

#![allow(dead_code)] // each test file uses its own subset

pub mod notify;

use std::sync::Arc;
use std::time::Duration;

use weir_plugin_host::renderer::BuildOptions;
use weir_plugin_host::{Limits, Plugin, PluginRuntime, RuntimeConfig, TenantLimits};

/// A tenant whose calls get 32 MiB and one second.
pub const STRICT: &str = "strict";
pub const STRICT_TIMEOUT: Duration = Duration::from_secs(1);
pub const STRICT_MEMORY: usize = 32 << 20;

pub fn runtime() -> Arc<PluginRuntime> {
    let mut limits = TenantLimits::new(Limits::default());
    limits.set(STRICT, Limits { memory_bytes: STRICT_MEMORY, timeout: STRICT_TIMEOUT, ..Limits::default() });
    let cache_dir = weir_testkit::paths::plugin_cache();
    Arc::new(PluginRuntime::new(RuntimeConfig { cache_dir: Some(cache_dir), limits }).expect("runtime starts"))
}

pub fn load(runtime: &PluginRuntime, name: &str) -> Plugin {
    runtime.load_file(&weir_testkit::paths::plugin(name)).expect("plugin loads")
}

/// A renderer request for `path` with every overlay option unset.
pub fn build_options(path: &str) -> BuildOptions {
    BuildOptions::new(path)
}
