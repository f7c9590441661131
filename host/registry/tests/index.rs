//! A manifest index referencing two image manifests, pushed and read back as an index.

mod common;

use common::{client, push_image, reference};
use weir_registry::{OCI_INDEX, sha256_digest};
use weir_testkit::registry::{Registry, RegistryOptions};

#[test]
fn an_index_reads_back_as_an_index() {
    let registry = Registry::start(&RegistryOptions::default());
    let client = client(None);
    let repo = reference(&registry, "multi/app:amd64");
    let amd64 = push_image(&client, &repo, &[b"amd64 layer"]);
    let arm64 = push_image(&client, &repo.with_tag("arm64"), &[b"arm64 layer"]);
    let entry = |pushed: &common::Pushed, arch: &str| {
        serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": pushed.manifest_digest, "size": pushed.manifest.len(),
            "platform": {"architecture": arch, "os": "linux"}
        })
    };
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [entry(&amd64, "amd64"), entry(&arm64, "arm64")],
    }))
    .unwrap();
    let multi = repo.with_tag("v1");
    let digest = client.push_manifest(&multi, OCI_INDEX, &index).expect("push index");
    assert_eq!(digest, sha256_digest(&index));

    let manifest = client.manifest(&multi).expect("index");
    assert_eq!(manifest.media_type, OCI_INDEX);
    assert!(manifest.is_index());
    assert_eq!(manifest.digest, digest);
    let parsed = manifest.image_index().expect("parses as an index");
    let digests: Vec<String> = parsed.manifests().iter().map(|m| m.digest().to_string()).collect();
    assert_eq!(digests, [amd64.manifest_digest.clone(), arm64.manifest_digest.clone()]);
    let arches: Vec<String> =
        parsed.manifests().iter().map(|m| m.platform().as_ref().unwrap().architecture().to_string()).collect();
    assert_eq!(arches, ["amd64", "arm64"]);
    assert!(manifest.image_manifest().is_err(), "an index is not an image manifest");

    // Each entry resolves by digest to the manifest pushed.
    let child = client.manifest(&multi.with_digest(&digests[1])).expect("child by digest");
    assert_eq!(child.bytes, arm64.manifest);
}
