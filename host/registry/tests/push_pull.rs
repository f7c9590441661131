//! Our client pushes blobs and manifests to a real registry (distribution) and reads them back:
//! tags, manifests by tag and by digest, blobs streamed and verified.

mod common;

use common::{client, push_image, reference};
use weir_registry::{OCI_MANIFEST, RegistryError, sha256_digest};
use weir_testkit::registry::{Registry, RegistryOptions};

#[test]
fn pushed_image_reads_back_by_tag_and_digest() {
    let registry = Registry::start(&RegistryOptions::default());
    let client = client(None);
    let app = reference(&registry, "org/app:v1");
    let big_layer: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let pushed = push_image(&client, &app, &[b"hello layer", &big_layer]);
    push_image(&client, &app.with_tag("v2"), &[b"second"]);

    let mut tags = client.tags(&app).expect("tags");
    tags.sort();
    assert_eq!(tags, ["v1", "v2"]);

    let by_tag = client.manifest(&app).expect("manifest by tag");
    assert_eq!(by_tag.digest, pushed.manifest_digest);
    assert_eq!(by_tag.media_type, OCI_MANIFEST);
    assert_eq!(by_tag.bytes, pushed.manifest);
    assert!(!by_tag.is_index());
    let parsed = by_tag.image_manifest().expect("an image manifest");
    assert_eq!(parsed.config().digest().to_string(), pushed.config_digest);
    assert_eq!(parsed.layers().len(), 2);

    let by_digest = client.manifest(&app.with_digest(&pushed.manifest_digest)).expect("manifest by digest");
    assert_eq!(by_digest, by_tag);
    assert_eq!(client.manifest_digest(&app).expect("HEAD"), Some(pushed.manifest_digest.clone()));
    assert_eq!(client.manifest_digest(&app.with_tag("v3")).expect("HEAD"), None);

    for (digest, bytes) in &pushed.layers {
        let mut sink = Vec::new();
        let size = client.blob(&app, digest, &mut sink).expect("blob");
        assert_eq!(size, bytes.len() as u64);
        assert!(sink == *bytes, "blob {digest} reads back as pushed");
    }
    let config = client.blob_bytes(&app, &pushed.config_digest, 4096).expect("config");
    assert_eq!(sha256_digest(&config), pushed.config_digest);
    let error = client.blob_bytes(&app, &pushed.layers[1].0, 1024).expect_err("too large");
    assert!(matches!(error, RegistryError::TooLarge { limit: 1024, .. }), "{error}");

    // Pushing what the repository has is a HEAD and nothing more; pushing by digest works too.
    let (digest, bytes) = &pushed.layers[0];
    client.push_blob(&app, &mut bytes.as_slice(), bytes.len() as u64, digest).expect("present blob");
    let by_digest = app.with_digest(&pushed.manifest_digest);
    assert_eq!(
        client.push_manifest(&by_digest, OCI_MANIFEST, &pushed.manifest).expect("by digest"),
        pushed.manifest_digest
    );
}

#[test]
fn missing_things_are_not_found_with_the_registry_message() {
    let registry = Registry::start(&RegistryOptions::default());
    let client = client(None);
    let app = reference(&registry, "org/app:v1");
    push_image(&client, &app, &[b"layer"]);

    let error = client.manifest(&app.with_tag("nope")).expect_err("missing tag");
    assert!(error.is_not_found(), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("GET http://{}/v2/org/app/manifests/nope: 404 Not Found: manifest unknown", registry.host)
    );
    let error = client.tags(&reference(&registry, "org/none")).expect_err("missing repository");
    assert!(error.is_not_found() && error.to_string().contains("repository name not known"), "{error}");
    let missing = sha256_digest(b"never pushed");
    let error = client.blob(&app, &missing, &mut Vec::new()).expect_err("missing blob");
    assert!(error.is_not_found() && error.to_string().contains(&missing), "{error}");
}

#[test]
fn a_short_or_wrong_upload_is_refused() {
    let registry = Registry::start(&RegistryOptions::default());
    let client = client(None);
    let app = reference(&registry, "org/app:v1");
    let data = b"twelve bytes";
    let error = client.push_blob(&app, &mut &data[..], 20, &sha256_digest(data)).expect_err("short");
    assert!(matches!(error, RegistryError::Io { .. }), "{error:?}");
    assert!(error.to_string().contains("the data ended after 12 bytes, not the 20 announced"), "{error}");
    let error = client.push_blob(&app, &mut &data[..], 12, &sha256_digest(b"other")).expect_err("wrong digest");
    assert!(matches!(error, RegistryError::DigestMismatch { .. }), "{error:?}");
    // Neither left a blob behind.
    let error = client.blob(&app, &sha256_digest(data), &mut Vec::new()).expect_err("no blob");
    assert!(error.is_not_found(), "{error}");
}
