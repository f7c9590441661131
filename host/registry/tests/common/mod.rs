//! What the registry tests share: a client for a testkit registry, and images pushed with it.

#![allow(dead_code)]

use std::time::Duration;

use weir_registry::{ClientOptions, Credentials, OCI_MANIFEST, Reference, RegistryClient, sha256_digest};
use weir_testkit::registry::Registry;

/// A client of the plain-HTTP `registry`, with `credentials`.
pub fn client(credentials: Option<Credentials>) -> RegistryClient {
    RegistryClient::new(ClientOptions {
        plain_http: true,
        credentials,
        timeout: Duration::from_secs(20),
        ..ClientOptions::default()
    })
    .expect("client")
}

pub fn reference(registry: &Registry, repository_and_tag: &str) -> Reference {
    Reference::parse(&format!("{}/{repository_and_tag}", registry.host)).expect("reference")
}

/// An image pushed with our client: its config, layers and manifest.
pub struct Pushed {
    pub manifest_digest: String,
    pub manifest: Vec<u8>,
    pub config_digest: String,
    pub layers: Vec<(String, Vec<u8>)>,
}

/// Pushes an OCI image manifest with a small config and `layers` (raw bytes as layer blobs) to
/// `reference` (a tag).
pub fn push_image(client: &RegistryClient, reference: &Reference, layers: &[&[u8]]) -> Pushed {
    let config = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec();
    let config_digest = sha256_digest(&config);
    client.push_blob(reference, &mut config.as_slice(), config.len() as u64, &config_digest).expect("push config");
    let mut descriptors = Vec::new();
    let mut pushed_layers = Vec::new();
    for layer in layers {
        let digest = sha256_digest(layer);
        client.push_blob(reference, &mut &layer[..], layer.len() as u64, &digest).expect("push layer");
        descriptors.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": layer.len()
        }));
        pushed_layers.push((digest, layer.to_vec()));
    }
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": descriptors,
    }))
    .unwrap();
    let manifest_digest = client.push_manifest(reference, OCI_MANIFEST, &manifest).expect("push manifest");
    assert_eq!(manifest_digest, sha256_digest(&manifest));
    Pushed { manifest_digest, manifest, config_digest, layers: pushed_layers }
}
