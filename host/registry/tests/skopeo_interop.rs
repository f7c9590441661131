//! Interoperability with an independent client: an image built by umoci and pushed by skopeo
//! reads back through our client with the digests skopeo reports; what we push, skopeo reads.

mod common;

use std::path::Path;
use std::process::Command;

use common::{client, push_image, reference};
use weir_registry::{Credentials, OCI_MANIFEST, sha256_digest};
use weir_testkit::registry::{Registry, RegistryAuth, RegistryOptions};

fn run(program: &str, args: &[&str]) -> Vec<u8> {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{program} runs (scripts/setup installs it): {error}"));
    assert!(output.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// An OCI layout with image `tag`: umoci's blank image plus one layer holding two files.
fn umoci_image(dir: &Path, tag: &str) -> String {
    let layout = dir.join("layout");
    let layout_str = layout.to_str().unwrap();
    let image = format!("{layout_str}:{tag}");
    run("umoci", &["init", "--layout", layout_str]);
    run("umoci", &["new", "--image", &image]);
    let content = dir.join("content");
    std::fs::create_dir_all(content.join("etc")).unwrap();
    std::fs::write(content.join("etc/greeting"), "hello from umoci\n").unwrap();
    std::fs::write(content.join("data.bin"), vec![7u8; 200_000]).unwrap();
    run("umoci", &["insert", "--rootless", "--image", &image, content.join("etc").to_str().unwrap(), "/etc"]);
    run("umoci", &["insert", "--rootless", "--image", &image, content.join("data.bin").to_str().unwrap(), "/data.bin"]);
    layout_str.to_owned()
}

#[test]
fn skopeo_pushed_image_pulls_with_matching_digests() {
    let registry = Registry::start(&RegistryOptions {
        auth: RegistryAuth::Basic { username: "pusher", password: "pw" },
        ..RegistryOptions::default()
    });
    let work = tempfile::tempdir().unwrap();
    let layout = umoci_image(work.path(), "v1");
    let target = format!("docker://{}/skopeo/image:v1", registry.host);
    let skopeo_auth = ["--insecure-policy"];
    run(
        "skopeo",
        &[
            &skopeo_auth[..],
            &["copy", "--dest-tls-verify=false", "--dest-creds", "pusher:pw"],
            &[&format!("oci:{layout}:v1"), &target],
        ]
        .concat(),
    );
    let raw = run("skopeo", &["inspect", "--raw", "--tls-verify=false", "--creds", "pusher:pw", &target]);
    let skopeo_digest = String::from_utf8(run(
        "skopeo",
        &["inspect", "--format", "{{.Digest}}", "--tls-verify=false", "--creds", "pusher:pw", &target],
    ))
    .unwrap();

    let client = client(Some(Credentials::new("pusher", "pw")));
    let image = reference(&registry, "skopeo/image:v1");
    let manifest = client.manifest(&image).expect("manifest");
    assert_eq!(manifest.bytes, raw, "the manifest bytes skopeo reads");
    assert_eq!(manifest.digest, sha256_digest(&raw));
    assert_eq!(manifest.digest, skopeo_digest.trim());
    assert_eq!(client.manifest_digest(&image).expect("HEAD").as_deref(), Some(skopeo_digest.trim()));
    assert_eq!(client.tags(&image).expect("tags"), ["v1"]);

    let parsed = manifest.image_manifest().expect("an image manifest");
    assert_eq!(parsed.layers().len(), 2, "umoci made one layer per insert");
    let config = client.blob_bytes(&image, parsed.config().digest().as_ref(), 1 << 20).expect("config");
    let config: serde_json::Value = serde_json::from_slice(&config).unwrap();
    assert_eq!(config["rootfs"]["diff_ids"].as_array().map(Vec::len), Some(2));
    for layer in parsed.layers() {
        let digest = layer.digest().to_string();
        let mut sink = Vec::new();
        let size = client.blob(&image, &digest, &mut sink).expect("layer");
        assert_eq!(size, layer.size());
        assert_eq!(sha256_digest(&sink), digest);
    }
    // The layer with data.bin is a gzipped tar holding it (umoci 0.4.7 leaves out the tar's
    // end-of-archive blocks, so tar itself complains: gunzip and look for the entry).
    let last = parsed.layers().last().unwrap().digest().to_string();
    let mut sink = Vec::new();
    client.blob(&image, &last, &mut sink).unwrap();
    let tar = Command::new("gzip")
        .arg("-dc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(&sink)?;
            child.wait_with_output()
        })
        .unwrap()
        .stdout;
    assert!(tar.len() > 200_000 && tar.windows(8).any(|w| w == b"data.bin"), "{} bytes of tar", tar.len());
}

#[test]
fn what_we_push_skopeo_reads() {
    let registry = Registry::start(&RegistryOptions::default());
    let client = client(None);
    let app = reference(&registry, "ours/app:v1");
    let pushed = push_image(&client, &app, &[b"our layer"]);
    let target = format!("docker://{}/ours/app:v1", registry.host);
    let raw = run("skopeo", &["inspect", "--raw", "--tls-verify=false", &target]);
    assert_eq!(raw, pushed.manifest);
    let digest = run("skopeo", &["inspect", "--format", "{{.Digest}}", "--tls-verify=false", &target]);
    assert_eq!(String::from_utf8(digest).unwrap().trim(), pushed.manifest_digest);
    // skopeo copies it out (checking every blob's digest, keeping the manifest as it is) into an OCI layout.
    let work = tempfile::tempdir().unwrap();
    let out = format!("oci:{}:v1", work.path().join("out").display());
    run("skopeo", &["--insecure-policy", "copy", "--preserve-digests", "--src-tls-verify=false", &target, &out]);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path().join("out/index.json")).unwrap()).unwrap();
    assert_eq!(index["manifests"][0]["digest"], pushed.manifest_digest.as_str());
    assert_eq!(index["manifests"][0]["mediaType"], OCI_MANIFEST);
}
