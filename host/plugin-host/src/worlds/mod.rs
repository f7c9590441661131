//! One module per world of `weir:plugin@0.1.0`: its generated bindings and a
//! typed handle whose methods are the world's calls, each run in a sandbox.

pub mod chart_renderer;
pub mod decryptor;
pub mod notifier;
pub mod renderer;
pub mod tag_policy;

use std::sync::Arc;

use wasmtime::component::{InstancePre, Linker};

use crate::error::LoadError;
use crate::runtime::{HostState, Plugin, PluginRuntime};

/// Types shared by every world (`weir:plugin/types`), generated once.
pub use tag_policy::weir::plugin::types;

/// A plugin checked against one world and ready to instantiate per call.
pub struct BoundPlugin<Pre> {
    runtime: Arc<PluginRuntime>,
    plugin: Plugin,
    pre: Pre,
}

impl<Pre> BoundPlugin<Pre> {
    /// Links `plugin` against `linker` and checks it exports `world`'s
    /// interface: a plugin for another world fails here, at load time.
    fn bind(
        runtime: Arc<PluginRuntime>,
        plugin: Plugin,
        world: &'static str,
        linker: Linker<HostState>,
        typed: impl FnOnce(InstancePre<HostState>) -> wasmtime::Result<Pre>,
    ) -> Result<Self, LoadError> {
        let pre = linker.instantiate_pre(plugin.component()).and_then(typed).map_err(|err| LoadError::WrongWorld {
            name: plugin.name().to_owned(),
            world,
            reason: format!("{err:#}"),
        })?;
        Ok(Self { runtime, plugin, pre })
    }

    pub fn plugin(&self) -> &Plugin {
        &self.plugin
    }
}
