//! The plugin runtime: one wasmtime engine, the component cache, per-tenant
//! limits, and the per-call sandbox every world's calls go through.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store, Trap, UpdateDeadline};

use crate::cache::ComponentCache;
use crate::capability::{CallContext, Capability, Grants, HostState};
use crate::error::{CallError, LoadError};
use crate::limits::{Limits, MemoryLimiter, TenantLimits, UsageMeter};
use crate::output::CapturedOutput;

/// How often the deadline of running calls is checked. Also the slice after
/// which a busy plugin yields to other tasks on the same thread.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// How the runtime is set up.
#[derive(Debug, Clone, Default)]
pub struct RuntimeConfig {
    /// Where precompiled components are kept across restarts; `None`
    /// compiles on every load.
    pub cache_dir: Option<PathBuf>,
    pub limits: TenantLimits,
}

/// Hosts plugins. Cheap to share behind an `Arc`; calls run concurrently.
pub struct PluginRuntime {
    engine: Engine,
    cache: Option<ComponentCache>,
    limits: TenantLimits,
    ticker: EpochTicker,
}

/// A compiled component, not yet bound to a world, and what its calls may use when that is
/// the plugin's own (a tenant's Plugin object sets it) rather than its tenant's.
#[derive(Clone)]
pub struct Plugin {
    name: String,
    component: Component,
    limits: Option<Limits>,
    env: Vec<(String, String)>,
    meter: Option<Arc<UsageMeter>>,
}

impl Plugin {
    /// The plugin's name: its file stem, e.g. `tag-policy`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn component(&self) -> &Component {
        &self.component
    }

    /// Every call runs under `limits` instead of its tenant's.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Every call sees these environment variables.
    pub fn with_env(mut self, env: Vec<(String, String)>) -> Self {
        self.env = env;
        self
    }

    /// Every call records what it used in `meter`.
    pub fn with_meter(mut self, meter: Arc<UsageMeter>) -> Self {
        self.meter = Some(meter);
        self
    }

    /// The limits its calls run under, when they are its own rather than its tenant's.
    pub fn limits(&self) -> Option<&Limits> {
        self.limits.as_ref()
    }
}

/// What a component imports and exports, by the names the component model gives them
/// (`wasi:filesystem/types@0.2.6`, `weir:plugin/render@0.2.0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interfaces {
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

impl Interfaces {
    /// The worlds the exports implement, as `<world>@<package version>` (`renderer@0.2.0`).
    pub fn worlds(&self) -> Vec<String> {
        const WORLDS: [(&str, &str); 7] = [
            ("render", "renderer"),
            ("post-render", "post-renderer"),
            ("chart-render", "chart-renderer"),
            ("decrypt", "decryptor"),
            ("encrypt", "encryptor"),
            ("notify", "notifier"),
            ("policy", "tag-policy"),
        ];
        let world = |export: &str| {
            let (interface, version) = export.strip_prefix("weir:plugin/")?.split_once('@')?;
            let (_, world) = WORLDS.iter().find(|(name, _)| *name == interface)?;
            Some(format!("{world}@{version}"))
        };
        self.exports.iter().filter_map(|export| world(export)).collect()
    }
}

/// How deep a plugin's calls may nest natively; wasmtime's default is 512 KiB.
const WASM_STACK_BYTES: usize = 8 << 20;

impl PluginRuntime {
    pub fn new(config: RuntimeConfig) -> Result<Self, LoadError> {
        let mut wasm_config = Config::new();
        wasm_config.epoch_interruption(true).wasm_component_model(true);
        // Renderers recurse deeply (Helm allows 1000 nested `include`s); the
        // stacks are reserved, not committed, until a plugin uses them.
        wasm_config.max_wasm_stack(WASM_STACK_BYTES).async_stack_size(WASM_STACK_BYTES + (1 << 20));
        let engine = Engine::new(&wasm_config).map_err(|err| LoadError::Engine(format!("{err:#}")))?;
        let cache = config.cache_dir.map(|dir| ComponentCache::new(&engine, dir));
        let ticker = EpochTicker::start(engine.clone()).map_err(|err| LoadError::Engine(err.to_string()))?;
        Ok(Self { engine, cache, limits: config.limits, ticker })
    }

    /// Loads a component from a `.wasm` file; its name is the file stem.
    pub fn load_file(&self, path: &Path) -> Result<Plugin, LoadError> {
        let wasm = std::fs::read(path).map_err(|source| LoadError::Read { path: path.to_owned(), source })?;
        let name = path.file_stem().map_or_else(|| "plugin".into(), |stem| stem.to_string_lossy().into_owned());
        self.load_bytes(&name, &wasm)
    }

    /// Loads a component from its bytes (compiled once, then cached).
    pub fn load_bytes(&self, name: &str, wasm: &[u8]) -> Result<Plugin, LoadError> {
        let compiled = match &self.cache {
            Some(cache) => cache.load_or_compile(&self.engine, wasm),
            None => Component::new(&self.engine, wasm),
        };
        let component =
            compiled.map_err(|err| LoadError::Invalid { name: name.to_owned(), reason: format!("{err:#}") })?;
        Ok(Plugin { name: name.to_owned(), component, limits: None, env: Vec::new(), meter: None })
    }

    /// What `plugin` imports and exports.
    pub fn interfaces(&self, plugin: &Plugin) -> Interfaces {
        let component = plugin.component.component_type();
        let names = |items: &mut dyn Iterator<Item = &str>| items.map(str::to_owned).collect();
        Interfaces {
            imports: names(&mut component.imports(&self.engine).map(|(name, _)| name)),
            exports: names(&mut component.exports(&self.engine).map(|(name, _)| name)),
        }
    }

    /// The limits a call for `tenant` runs under.
    pub fn limits(&self, tenant: &str) -> &Limits {
        self.limits.for_tenant(tenant)
    }

    /// A linker offering exactly `capabilities`' imports.
    pub(crate) fn linker(&self, capabilities: &[&dyn Capability]) -> Result<Linker<HostState>, LoadError> {
        let mut linker = Linker::new(&self.engine);
        for capability in capabilities {
            capability.link(&mut linker).map_err(|err| LoadError::Engine(format!("{err:#}")))?;
        }
        Ok(linker)
    }

    /// Runs `body` (instantiate + call) in a fresh store under the plugin's own limits, or
    /// else `tenant`'s, with only `grants` (and the plugin's environment), and turns every way
    /// it can fail into a [`CallError`]. The store, and with it the instance, is dropped after.
    pub(crate) async fn call<T>(
        &self,
        plugin: &Plugin,
        world: &str,
        tenant: &str,
        mut grants: Grants,
        body: impl AsyncFnOnce(&mut Store<HostState>) -> wasmtime::Result<T>,
    ) -> Result<T, CallError> {
        let limits = plugin.limits.as_ref().unwrap_or_else(|| self.limits.for_tenant(tenant));
        grants.env.extend(plugin.env.iter().cloned());
        let context = CallContext {
            stdout: CapturedOutput::new(limits.output_bytes),
            stderr: CapturedOutput::new(limits.output_bytes),
            deadline: Instant::now() + limits.timeout,
        };
        let CallContext { stdout, stderr, deadline } = &context;
        let deadline = *deadline;
        let state = HostState::new(grants, &context, MemoryLimiter::new(limits.clone()))
            .map_err(|reason| CallError::Setup { plugin: plugin.name.clone(), reason })?;
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            Ok(if Instant::now() >= deadline { UpdateDeadline::Interrupt } else { UpdateDeadline::Yield(1) })
        });
        // The epoch deadline stops plugins that compute; this one stops those
        // waiting in a host call (a sleep, a slow HTTP peer).
        let started = Instant::now();
        let outcome = tokio::time::timeout_at(deadline.into(), body(&mut store)).await;
        if let Some(meter) = &plugin.meter {
            meter.record(store.data().limiter.used, started.elapsed());
        }
        stdout.forward_to_log(&plugin.name, "stdout");
        stderr.forward_to_log(&plugin.name, "stderr");
        let timeout = || CallError::Timeout { plugin: plugin.name.clone(), limit: limits.timeout };
        let result = match outcome {
            Err(_elapsed) => Err(timeout()),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) if store.data().limiter.exceeded => {
                Err(CallError::MemoryLimit { plugin: plugin.name.clone(), limit: limits.memory_bytes })
            }
            Ok(Err(err)) if matches!(err.downcast_ref::<Trap>(), Some(Trap::Interrupt)) => Err(timeout()),
            Ok(Err(err)) => {
                // A Rust guest prints its panic message before aborting: that
                // message is what a user needs to see, more than the trap code.
                let mut reason = format!("{:#}", err.root_cause());
                if let Some(last) = stderr.last_line() {
                    reason = format!("{reason} ({last})");
                }
                Err(CallError::Trap { plugin: plugin.name.clone(), reason })
            }
        };
        weir_telemetry::metrics::record_plugin_call(&weir_telemetry::metrics::PluginCall {
            plugin: &plugin.name,
            world,
            tenant,
            result: match &result {
                Ok(_) => "returned",
                Err(CallError::Timeout { .. }) => "timeout",
                Err(CallError::MemoryLimit { .. }) => "memory-limit",
                Err(CallError::Trap { .. }) => "trap",
                Err(CallError::Setup { .. }) => "setup",
            },
            duration: started.elapsed(),
            // Linear memory only grows: what is in use at the end is the call's peak.
            peak_memory: store.data().limiter.used as u64,
        });
        result
    }
}

impl Drop for PluginRuntime {
    fn drop(&mut self) {
        self.ticker.stop();
    }
}

/// Advances the engine's epoch on a timer: the clock every call's deadline
/// is measured against.
struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    fn start(engine: Engine) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::Builder::new().name("weir-plugin-epoch".into()).spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })?;
        Ok(Self { stop })
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
