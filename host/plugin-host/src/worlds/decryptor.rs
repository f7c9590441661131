//! The `decryptor` world: SOPS-like decryption and encryption.

use std::sync::Arc;

use super::BoundPlugin;
use crate::error::{CallError, LoadError};
use crate::runtime::{Grants, HostState, Plugin, PluginRuntime};

wasmtime::component::bindgen!({
    path: "../../wit/0.1.0",
    world: "decryptor",
    exports: { default: async },
    with: { "weir:plugin/types": super::types },
});

pub use exports::weir::plugin::decrypt::{CryptError, DecryptOptions, DocumentFormat, EncryptOptions, Key, KeyGroup};

/// A decryptor plugin. Keys live only in the call's memory, which is
/// dropped with its store when the call returns.
pub type DecryptorPlugin = BoundPlugin<DecryptorPre<HostState>>;

impl DecryptorPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        let linker = runtime.wasi_linker()?;
        Self::bind(runtime, plugin, "decryptor", linker, DecryptorPre::new)
    }

    pub async fn decrypt(
        &self,
        tenant: &str,
        document: &[u8],
        format: DocumentFormat,
        keys: &[Key],
    ) -> Result<Result<Vec<u8>, CryptError>, CallError> {
        self.runtime
            .call(&self.plugin, tenant, Grants::default(), async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                instance.weir_plugin_decrypt().call_decrypt(&mut *store, document, format, keys).await
            })
            .await
    }

    /// Decrypts and prints as `options` say (output format, extraction).
    pub async fn decrypt_with(
        &self,
        tenant: &str,
        document: &[u8],
        format: DocumentFormat,
        keys: &[Key],
        options: &DecryptOptions,
    ) -> Result<Result<Vec<u8>, CryptError>, CallError> {
        self.runtime
            .call(&self.plugin, tenant, Grants::default(), async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                instance.weir_plugin_decrypt().call_decrypt_with(&mut *store, document, format, keys, options).await
            })
            .await
    }

    pub async fn encrypt(
        &self,
        tenant: &str,
        document: &[u8],
        format: DocumentFormat,
        options: &EncryptOptions,
    ) -> Result<Result<Vec<u8>, CryptError>, CallError> {
        self.runtime
            .call(&self.plugin, tenant, Grants::default(), async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                instance.weir_plugin_decrypt().call_encrypt(&mut *store, document, format, options).await
            })
            .await
    }
}
