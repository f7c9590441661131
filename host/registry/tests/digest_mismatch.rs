//! Content that is not what its digest says is refused: a blob and a manifest corrupted in the
//! registry's own storage on disk.

mod common;

use common::{client, push_image, reference};
use weir_registry::RegistryError;
use weir_testkit::registry::{Registry, RegistryOptions};

#[test]
fn a_corrupted_blob_is_a_digest_mismatch() {
    let registry = Registry::start(&RegistryOptions::default());
    let client = client(None);
    let app = reference(&registry, "org/app:v1");
    let layer = vec![42u8; 300_000];
    let pushed = push_image(&client, &app, &[&layer]);
    let (digest, _) = &pushed.layers[0];
    let path = registry.blob_path(digest);
    let mut corrupted = layer.clone();
    corrupted[150_000] = 43;
    std::fs::write(&path, &corrupted).expect("corrupt the blob on disk");

    let mut sink = Vec::new();
    let error = client.blob(&app, digest, &mut sink).expect_err("mismatch");
    let RegistryError::DigestMismatch { expected, actual, .. } = &error else { panic!("{error:?}") };
    assert_eq!(expected, digest);
    assert_eq!(*actual, weir_registry::sha256_digest(&corrupted));
    assert_eq!(sink.len(), corrupted.len(), "streamed, then found wrong");
    assert!(error.to_string().contains("digest mismatch"), "{error}");
    let error = client.blob_bytes(&app, digest, 1 << 20).expect_err("mismatch in memory too");
    assert!(matches!(error, RegistryError::DigestMismatch { .. }), "{error:?}");
}

#[test]
fn a_corrupted_manifest_fetched_by_digest_is_refused() {
    let registry = Registry::start(&RegistryOptions::default());
    let client = client(None);
    let app = reference(&registry, "org/app:v1");
    let pushed = push_image(&client, &app, &[b"layer"]);
    // Still a valid manifest (the registry parses it), but not the bytes of the digest.
    let mut altered = pushed.manifest.clone();
    altered.push(b'\n');
    std::fs::write(registry.blob_path(&pushed.manifest_digest), &altered).expect("corrupt the manifest");

    let error = client.manifest(&app.with_digest(&pushed.manifest_digest)).expect_err("by digest");
    let RegistryError::DigestMismatch { expected, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*expected, pushed.manifest_digest);
    // By tag, the registry's Docker-Content-Digest names the real digest.
    let error = client.manifest(&app).expect_err("by tag");
    assert!(matches!(error, RegistryError::DigestMismatch { .. }), "{error:?}");
}
