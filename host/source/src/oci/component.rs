//! WebAssembly components as OCI artifacts, the way weir's Plugins are distributed: a manifest
//! with config `application/vnd.wasm.config.v1+json` and one layer, the component's bytes, of
//! `application/vnd.wasm.content.layer.v1+wasm` (wasm-pkg-tools' `application/wasm` layers are
//! read too). The layer's digest is the component's SHA-256, so a Plugin pinned by `sha256`
//! and its OCI digest agree.

use std::collections::BTreeMap;

use weir_registry::{OCI_MANIFEST, Reference, RegistryClient, RegistryError, sha256_digest};

use super::{OciError, Resolved};

pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v1+json";
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.wasm.content.layer.v1+wasm";
/// The layer media type of wasm-pkg-tools (`wkg oci push`).
pub const WKG_LAYER_MEDIA_TYPE: &str = "application/wasm";
/// The largest component pulled.
pub const MAX_COMPONENT_BYTES: u64 = 64 << 20;

/// A pushed component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The manifest's digest.
    pub digest: String,
    /// The component's (the layer's) digest.
    pub component_digest: String,
}

/// Uploads `wasm` and a config naming it, then the manifest with `annotations` under the
/// reference's tag. The same bytes and annotations give the same manifest digest.
pub fn push(
    client: &RegistryClient,
    reference: &Reference,
    wasm: &[u8],
    annotations: &BTreeMap<String, String>,
) -> Result<Pushed, RegistryError> {
    let component_digest = sha256_digest(wasm);
    client.push_blob(reference, &mut &wasm[..], wasm.len() as u64, &component_digest)?;
    let config = serde_json::json!({
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [component_digest],
    })
    .to_string();
    let config_digest = sha256_digest(config.as_bytes());
    client.push_blob(reference, &mut config.as_bytes(), config.len() as u64, &config_digest)?;
    let descriptor = |media_type: &str, size: usize, digest: &str| serde_json::json!({ "mediaType": media_type, "size": size, "digest": digest });
    let mut manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": CONFIG_MEDIA_TYPE,
        "config": descriptor(CONFIG_MEDIA_TYPE, config.len(), &config_digest),
        "layers": [descriptor(LAYER_MEDIA_TYPE, wasm.len(), &component_digest)],
    });
    if !annotations.is_empty() {
        manifest["annotations"] = serde_json::json!(annotations);
    }
    let digest = client.push_manifest(reference, OCI_MANIFEST, manifest.to_string().as_bytes())?;
    Ok(Pushed { digest, component_digest })
}

/// A pulled component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    pub wasm: Vec<u8>,
    /// Its `sha256:` digest.
    pub digest: String,
}

/// The component of the resolved manifest: its one wasm layer, its digest checked.
pub fn pull(client: &RegistryClient, resolved: &Resolved) -> Result<Pulled, OciError> {
    let (reference, manifest) = super::image_manifest(client, &resolved.reference)?;
    let manifest = manifest
        .image_manifest()
        .map_err(|error| OciError::Layer(format!("failed to parse the component's manifest: {error}")))?;
    let is_wasm = |media_type: &str| media_type == LAYER_MEDIA_TYPE || media_type == WKG_LAYER_MEDIA_TYPE;
    let layer = manifest.layers().iter().find(|layer| is_wasm(&layer.media_type().to_string())).ok_or_else(|| {
        let found: Vec<String> = manifest.layers().iter().map(|layer| layer.media_type().to_string()).collect();
        OciError::Layer(format!(
            "{} holds no WebAssembly component: no layer of type {LAYER_MEDIA_TYPE} (layers: {})",
            resolved.revision,
            if found.is_empty() { "none".to_owned() } else { found.join(", ") }
        ))
    })?;
    let digest = layer.digest().to_string();
    let wasm = client.blob_bytes(&reference, &digest, MAX_COMPONENT_BYTES)?;
    // The client checked the bytes against the layer digest; a non-SHA-256 digest is made one.
    let digest = if digest.starts_with("sha256:") { digest } else { sha256_digest(&wasm) };
    Ok(Pulled { wasm, digest })
}
