//! The `notifier` world: deliver an event to a provider over the one
//! origin the call is granted.

use std::ops::Deref;
use std::sync::Arc;

use super::{BoundPlugin, WitVersion, World};
use crate::capability::outbound_http::Origin;
use crate::capability::{Grants, OutboundGrant, OutboundHttp, Wasi};
use crate::error::{CallError, LoadError};
use crate::runtime::{Plugin, PluginRuntime};
use crate::wit::legacy_error;
use crate::wit::types::{Error, ErrorCode};

mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.0",
        world: "notifier",
        imports: { default: async },
        with: {
            "weir:plugin/types": crate::wit::types,
            "weir:plugin/outbound-http": crate::capability::outbound_http::v0_2::weir::plugin::outbound_http,
        },
    });
}

mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.1.0",
        world: "notifier",
        imports: { default: async },
        with: {
            "weir:plugin/types": crate::wit::v0_1::weir::plugin::types,
            "weir:plugin/outbound-http": crate::capability::outbound_http::v0_1::weir::plugin::outbound_http,
        },
    });
}

pub use v0_2::exports::weir::plugin::notify::{Event, ObjectReference, Provider, Severity};

const NOTIFIER: World = World {
    name: "notifier",
    interface: "notify",
    since: "0.2.0",
    legacy_interface: Some("notify"),
    capabilities: &[&Wasi, &OutboundHttp],
};

/// A notifier plugin.
pub struct NotifierPlugin(BoundPlugin);

impl NotifierPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        BoundPlugin::bind(
            runtime,
            plugin,
            &NOTIFIER,
            |pre| v0_2::NotifierPre::new(pre).map(drop),
            |pre| v0_1::NotifierPre::new(pre).map(drop),
        )
        .map(Self)
    }

    /// Delivers `event` to `provider`; the plugin may reach only the origin
    /// of `provider.address`, through `provider.proxy` when one is set.
    pub async fn notify(
        &self,
        tenant: &str,
        event: &Event,
        provider: &Provider,
    ) -> Result<Result<(), Error>, CallError> {
        let origin = match Origin::of_url(&provider.address) {
            Ok(origin) => origin,
            Err(message) => {
                let mut error = Error::new(ErrorCode::InvalidInput, format!("provider address: {message}"));
                error.path = Some("address".into());
                return Ok(Err(error));
            }
        };
        let grants = Grants {
            outbound: OutboundGrant { origins: vec![origin], proxy: provider.proxy.clone() },
            ..Grants::default()
        };
        match self.wit_version() {
            WitVersion::V0_2 => self.0.call(tenant, grants, "notify", (event, provider)).await.map(|(result,)| result),
            WitVersion::V0_1 => {
                let (result,): (Result<(), LegacyError>,) =
                    self.0.call(tenant, grants, "notify", (event, provider)).await?;
                Ok(result.map_err(upgrade_error))
            }
        }
    }
}

impl Deref for NotifierPlugin {
    type Target = BoundPlugin;

    fn deref(&self) -> &BoundPlugin {
        &self.0
    }
}

type LegacyError = v0_1::exports::weir::plugin::notify::NotifyError;

fn upgrade_error(error: LegacyError) -> Error {
    let (code, detail) = match error {
        LegacyError::InvalidConfig(detail) => (ErrorCode::InvalidInput, detail),
        LegacyError::Rejected(detail) => (ErrorCode::Rejected, detail),
        LegacyError::Transport(detail) => (ErrorCode::Unavailable, detail),
    };
    legacy_error(code, detail)
}
