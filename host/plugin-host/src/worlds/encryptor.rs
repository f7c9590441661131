//! The `encryptor` world: SOPS-like encryption, for `weir sops encrypt`.
//! In 0.1 the decryptor encrypted too; such a component serves this world.

use std::ops::Deref;
use std::sync::Arc;

use super::decryptor::{LegacyError, upgrade_error, v0_1};
use super::{BoundPlugin, WitVersion, World};
use crate::capability::{Grants, Wasi};
use crate::error::{CallError, LoadError};
use crate::runtime::{Plugin, PluginRuntime};
use crate::wit::types::Error;

mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.0",
        world: "encryptor",
        with: { "weir:plugin/types": crate::wit::types },
    });
}

pub use crate::wit::types::DocumentFormat;
pub use v0_2::exports::weir::plugin::encrypt::{EncryptOptions, KeyGroup};

const ENCRYPTOR: World = World {
    name: "encryptor",
    interface: "encrypt",
    since: "0.2.0",
    legacy_interface: Some("decrypt"),
    capabilities: &[&Wasi],
};

/// An encryptor plugin: recipients are public keys, so nothing secret
/// enters the call.
pub struct EncryptorPlugin(BoundPlugin);

impl EncryptorPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        BoundPlugin::bind(
            runtime,
            plugin,
            &ENCRYPTOR,
            |pre| v0_2::EncryptorPre::new(pre).map(drop),
            |pre| v0_1::DecryptorPre::new(pre).map(drop),
        )
        .map(Self)
    }

    /// Encrypts `document` for the recipients in `options`, adding SOPS metadata.
    pub async fn encrypt(
        &self,
        tenant: &str,
        document: &[u8],
        format: DocumentFormat,
        options: &EncryptOptions,
    ) -> Result<Result<Vec<u8>, Error>, CallError> {
        let params = (document, format, options);
        match self.wit_version() {
            WitVersion::V0_2 => self.0.call(tenant, Grants::default(), "encrypt", params).await.map(|(result,)| result),
            WitVersion::V0_1 => {
                let (result,): (Result<Vec<u8>, LegacyError>,) =
                    self.0.call(tenant, Grants::default(), "encrypt", params).await?;
                Ok(result.map_err(upgrade_error))
            }
        }
    }
}

impl Deref for EncryptorPlugin {
    type Target = BoundPlugin;

    fn deref(&self) -> &BoundPlugin {
        &self.0
    }
}
