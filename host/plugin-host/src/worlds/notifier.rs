//! The `notifier` world: deliver an event to a provider over the one
//! origin the call is granted.

use std::sync::Arc;

use super::BoundPlugin;
use crate::error::{CallError, LoadError};
use crate::outbound::{Origin, OutboundGrant};
use crate::runtime::{Grants, HostState, Plugin, PluginRuntime};

wasmtime::component::bindgen!({
    path: "../../wit/0.1.0",
    world: "notifier",
    imports: { default: async },
    exports: { default: async },
    with: { "weir:plugin/types": super::types },
});

pub use exports::weir::plugin::notify::{Event, NotifyError, ObjectReference, Provider, Severity};

/// A notifier plugin.
pub type NotifierPlugin = BoundPlugin<NotifierPre<HostState>>;

impl NotifierPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        let mut linker = runtime.wasi_linker()?;
        weir::plugin::outbound_http::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(
            &mut linker,
            |state| state,
        )
        .map_err(|err| LoadError::Engine(format!("{err:#}")))?;
        Self::bind(runtime, plugin, "notifier", linker, NotifierPre::new)
    }

    /// Delivers `event` to `provider`; the plugin may reach only the origin
    /// of `provider.address`, through `provider.proxy` when one is set.
    pub async fn notify(
        &self,
        tenant: &str,
        event: &Event,
        provider: &Provider,
    ) -> Result<Result<(), NotifyError>, CallError> {
        let origin = match Origin::of_url(&provider.address) {
            Ok(origin) => origin,
            Err(message) => {
                return Ok(Err(NotifyError::InvalidConfig(super::types::ErrorDetail {
                    message: format!("provider address: {message}"),
                    file: None,
                    field: Some("address".into()),
                })));
            }
        };
        let grants = Grants {
            outbound: OutboundGrant { origins: vec![origin], proxy: provider.proxy.clone() },
            ..Grants::default()
        };
        self.runtime
            .call(&self.plugin, tenant, grants, async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                instance.weir_plugin_notify().call_notify(&mut *store, event, provider).await
            })
            .await
    }
}
