//! The `decryptor` world: SOPS-like decryption, all the operator needs.

use std::ops::Deref;
use std::sync::Arc;

use super::{BoundPlugin, WitVersion, World};
use crate::capability::{Grants, Wasi};
use crate::error::{CallError, LoadError};
use crate::runtime::{Plugin, PluginRuntime};
use crate::wit::legacy_error;
use crate::wit::types::{Error, ErrorCode};

mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.0",
        world: "decryptor",
        with: { "weir:plugin/types": crate::wit::types },
    });
}

pub(super) mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.1.0",
        world: "decryptor",
        with: { "weir:plugin/types": crate::wit::v0_1::weir::plugin::types },
    });
}

pub use crate::wit::types::DocumentFormat;
pub use v0_2::exports::weir::plugin::decrypt::{DecryptOptions, Key};

const DECRYPTOR: World = World {
    name: "decryptor",
    interface: "decrypt",
    since: "0.2.0",
    legacy_interface: Some("decrypt"),
    capabilities: &[&Wasi],
};

/// A decryptor plugin. Keys live only in the call's memory, which is
/// dropped with its store when the call returns.
pub struct DecryptorPlugin(BoundPlugin);

impl DecryptorPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        BoundPlugin::bind(
            runtime,
            plugin,
            &DECRYPTOR,
            |pre| v0_2::DecryptorPre::new(pre).map(drop),
            |pre| v0_1::DecryptorPre::new(pre).map(drop),
        )
        .map(Self)
    }

    /// Decrypts `document`, printed as `options` say (output format, extraction).
    pub async fn decrypt(
        &self,
        tenant: &str,
        document: &[u8],
        format: DocumentFormat,
        keys: &[Key],
        options: &DecryptOptions,
    ) -> Result<Result<Vec<u8>, Error>, CallError> {
        let params = (document, format, keys, options);
        match self.wit_version() {
            WitVersion::V0_2 => self.0.call(tenant, Grants::default(), "decrypt", params).await.map(|(result,)| result),
            WitVersion::V0_1 => {
                let (result,): (Result<Vec<u8>, LegacyError>,) =
                    self.0.call(tenant, Grants::default(), "decrypt-with", params).await?;
                Ok(result.map_err(upgrade_error))
            }
        }
    }
}

impl Deref for DecryptorPlugin {
    type Target = BoundPlugin;

    fn deref(&self) -> &BoundPlugin {
        &self.0
    }
}

pub(super) type LegacyError = v0_1::exports::weir::plugin::decrypt::CryptError;

/// 0.1's crypt error as 0.2's error (shared with the encryptor, which 0.1's
/// `decrypt` interface served too).
pub(super) fn upgrade_error(error: LegacyError) -> Error {
    let (code, detail) = match error {
        LegacyError::NotEncrypted(detail) => (ErrorCode::NotEncrypted, detail),
        LegacyError::NoMatchingKey(detail) => (ErrorCode::NoMatchingKey, detail),
        LegacyError::MacMismatch(detail) => (ErrorCode::Integrity, detail),
        LegacyError::InvalidDocument(detail) | LegacyError::InvalidKey(detail) => (ErrorCode::InvalidInput, detail),
        LegacyError::Unsupported(detail) => (ErrorCode::Unsupported, detail),
    };
    legacy_error(code, detail)
}
