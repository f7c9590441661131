//! One module per world: its bindings for both package versions and a
//! typed handle whose methods are the world's calls, each run in a sandbox.
//!
//! The handles speak `weir:plugin@0.2.0`. A component built against
//! `@0.1.0` is served by the same handle: the request records of the two
//! versions have the same shapes, and the component model types structurally,
//! so 0.2 requests are passed to 0.1 functions as they are; only results
//! (0.1's error variants, the renderer's YAML stream) are converted, in the
//! world's module.

pub mod chart_renderer;
pub mod decryptor;
pub mod encryptor;
pub mod notifier;
pub mod post_renderer;
pub mod renderer;
pub mod tag_policy;

use std::fmt;
use std::sync::Arc;

use wasmtime::component::{ComponentExportIndex, ComponentNamedList, InstancePre, Lift, Linker, Lower};

use crate::capability::{Capability, Grants, HostState};
use crate::error::{CallError, LoadError};
use crate::runtime::{Plugin, PluginRuntime};
use crate::wit::types::PluginInfo;

/// The `weir:plugin` package version a component was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WitVersion {
    V0_1,
    V0_2,
}

impl fmt::Display for WitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V0_1 => "weir:plugin@0.1.0",
            Self::V0_2 => "weir:plugin@0.2.0",
        })
    }
}

/// What binding a component to a world needs to know about the world.
pub(crate) struct World {
    /// The world's name, for errors.
    name: &'static str,
    /// The interface it exports in 0.2 (`render`).
    interface: &'static str,
    /// The package version that interface is looked for at: the 0.2 release
    /// that introduced it (later 0.2 releases only add).
    since: &'static str,
    /// The 0.1 interface serving it (the same, except for `encryptor`,
    /// which 0.1's `decrypt` interface served); none for worlds newer than 0.1.
    legacy_interface: Option<&'static str>,
    /// What its plugins may import.
    capabilities: &'static [&'static dyn Capability],
}

/// A plugin checked against one world and ready to instantiate per call.
pub struct BoundPlugin {
    runtime: Arc<PluginRuntime>,
    plugin: Plugin,
    version: WitVersion,
    pre: InstancePre<HostState>,
    interface: ComponentExportIndex,
    /// The world's name, for the metrics.
    world: &'static str,
}

impl BoundPlugin {
    /// Links `plugin` against `world`'s capabilities and checks, with the
    /// generated bindings of the version it exports, that it implements the
    /// world: a plugin for another world fails here, at load time.
    fn bind(
        runtime: Arc<PluginRuntime>,
        plugin: Plugin,
        world: &World,
        check_current: impl FnOnce(InstancePre<HostState>) -> wasmtime::Result<()>,
        check_legacy: impl FnOnce(InstancePre<HostState>) -> wasmtime::Result<()>,
    ) -> Result<Self, LoadError> {
        let wrong_world = |version: Option<WitVersion>, reason: String| LoadError::WrongWorld {
            name: plugin.name().to_owned(),
            world: world.name,
            version: version.map_or_else(
                || match world.legacy_interface {
                    Some(_) => format!("weir:plugin@{} or @0.1.0", world.since),
                    None => format!("weir:plugin@{}", world.since),
                },
                |v| v.to_string(),
            ),
            reason,
        };
        let component = plugin.component();
        let current = format!("weir:plugin/{}@{}", world.interface, world.since);
        let legacy = world.legacy_interface.map(|interface| format!("weir:plugin/{interface}@0.1.0"));
        let found = component.get_export_index(None, &current).map(|index| (WitVersion::V0_2, index)).or_else(|| {
            let legacy = legacy.as_deref()?;
            component.get_export_index(None, legacy).map(|index| (WitVersion::V0_1, index))
        });
        let Some((version, interface)) = found else {
            let exported = match &legacy {
                Some(legacy) => format!("it exports neither {current} nor {legacy}"),
                None => format!("it does not export {current}"),
            };
            return Err(wrong_world(None, exported));
        };
        let linker: Linker<HostState> = runtime.linker(world.capabilities)?;
        let pre = linker.instantiate_pre(component).map_err(|err| LoadError::ImportNotGranted {
            name: plugin.name().to_owned(),
            world: world.name,
            reason: format!("{err:#}"),
        })?;
        match version {
            WitVersion::V0_2 => check_current(pre.clone()),
            WitVersion::V0_1 => check_legacy(pre.clone()),
        }
        .map_err(|err| wrong_world(Some(version), format!("{err:#}")))?;
        Ok(Self { runtime, plugin, version, pre, interface, world: world.name })
    }

    pub fn plugin(&self) -> &Plugin {
        &self.plugin
    }

    /// The package version the component was built against.
    pub fn wit_version(&self) -> WitVersion {
        self.version
    }

    /// What the plugin says about itself; `None` for 0.1 components, which
    /// have no `describe`.
    pub async fn describe(&self, tenant: &str) -> Result<Option<PluginInfo>, CallError> {
        match self.version {
            WitVersion::V0_1 => Ok(None),
            WitVersion::V0_2 => {
                let (info,) = self.call(tenant, Grants::default(), "describe", ()).await?;
                Ok(Some(info))
            }
        }
    }

    /// Calls `function` of the world's interface on a fresh instance,
    /// reaching only what `grants` grant. The load-time check proved the
    /// signature; the typed lookup checks it again against `Params` and
    /// `Results`, which for 0.1 components pair 0.2 requests with 0.1 results.
    async fn call<Params, Results>(
        &self,
        tenant: &str,
        grants: Grants,
        function: &str,
        params: Params,
    ) -> Result<Results, CallError>
    where
        Params: ComponentNamedList + Lower + Send + Sync,
        Results: ComponentNamedList + Lift + Send + Sync + 'static,
    {
        self.runtime
            .call(&self.plugin, self.world, tenant, grants, async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                let index = instance
                    .get_export_index(&mut *store, Some(&self.interface), function)
                    .ok_or_else(|| wasmtime::format_err!("the plugin exports no `{function}`"))?;
                let func = instance.get_typed_func::<Params, Results>(&mut *store, &index)?;
                func.call_async(&mut *store, params).await
            })
            .await
    }
}
