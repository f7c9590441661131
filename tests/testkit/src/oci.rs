//! OCI artifacts in Flux's format (`flux push artifact`'s media types and annotations) made by
//! clients weir did not write: the tarball by Python's `tarfile`, the push by oras-py, the
//! cosign-style signature by `openssl`. So what weir pulls and verifies is checked against
//! independent producers.

use std::path::Path;
use std::process::Command;

const PUSH: &str = r#"
import gzip, io, json, os, sys, tarfile, urllib.request, base64
import oras.client
registry, target, workdir, files, annotations, creds = sys.argv[1:7]
files, annotations = json.loads(files), json.loads(annotations)
os.chdir(workdir)
with tarfile.open("artifact.tgz", "w:gz") as archive:
    for name, content in files:
        data = content.encode()
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), 0o644
        archive.addfile(info, io.BytesIO(data))
with open("config.json", "w") as config:
    config.write("{}")
# The registries here challenge with Basic: oras-py's default backend expects tokens.
client = oras.client.OrasClient(hostname=registry, insecure=True, auth_backend="basic" if creds else "token")
if creds:
    user, password = creds.split(":", 1)
    client.auth.set_basic_auth(user, password)
client.push(
    target=f"{registry}/{target}",
    files=["artifact.tgz:application/vnd.cncf.flux.content.v1.tar+gzip"],
    config_path="config.json:application/vnd.cncf.flux.config.v1+json",
    manifest_annotations=annotations,
    disable_path_validation=True,
)
repository, tag = target.rsplit(":", 1)
request = urllib.request.Request(f"http://{registry}/v2/{repository}/manifests/{tag}", method="HEAD")
request.add_header("Accept", "application/vnd.oci.image.manifest.v1+json")
if creds:
    request.add_header("Authorization", "Basic " + base64.b64encode(creds.encode()).decode())
print(urllib.request.urlopen(request).headers["Docker-Content-Digest"])
"#;

/// Pushes an artifact holding `files` (path, content) to `registry` (`host:port`, plain HTTP)
/// as `target` (`repository:tag`), with manifest `annotations`; its manifest digest.
pub fn push_artifact(
    registry: &str,
    target: &str,
    files: &[(&str, &str)],
    annotations: &[(&str, &str)],
    credentials: Option<(&str, &str)>,
) -> String {
    let work = tempfile::tempdir().expect("a work directory");
    let files = serde_json::to_string(files).unwrap();
    let annotations: serde_json::Map<String, serde_json::Value> =
        annotations.iter().map(|(key, value)| (key.to_string(), serde_json::Value::from(*value))).collect();
    let credentials = credentials.map(|(user, password)| format!("{user}:{password}")).unwrap_or_default();
    let output = Command::new("python3")
        .args(["-c", PUSH, registry, target])
        .arg(work.path())
        .args([files, serde_json::Value::Object(annotations).to_string(), credentials])
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "oras push failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().last().unwrap_or_default().trim().to_owned()
}

/// A key pair as cosign would hold it (ECDSA P-256), made by openssl: the private key's file and
/// the public key's PEM (what a verification Secret's `cosign.pub` holds).
pub struct SigningKey {
    _dir: tempfile::TempDir,
    private_key: std::path::PathBuf,
    pub public_pem: String,
}

impl SigningKey {
    pub fn generate() -> Self {
        let dir = tempfile::tempdir().expect("a key directory");
        let private_key = dir.path().join("cosign.key");
        let public_key = dir.path().join("cosign.pub");
        openssl(&["ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out"], &private_key);
        let status = Command::new("openssl")
            .args(["ec", "-in"])
            .arg(&private_key)
            .args(["-pubout", "-out"])
            .arg(&public_key)
            .output()
            .expect("openssl runs");
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        let public_pem = std::fs::read_to_string(&public_key).unwrap();
        SigningKey { _dir: dir, private_key, public_pem }
    }

    /// The simple-signing payload for `repository@digest`, and its signature (DER, base64) by
    /// `openssl dgst -sha256 -sign`, as cosign signs.
    pub fn sign(&self, repository: &str, digest: &str) -> (String, String) {
        let payload = serde_json::json!({
            "critical": {
                "identity": {"docker-reference": repository},
                "image": {"docker-manifest-digest": digest},
                "type": "cosign container image signature"
            },
            "optional": null
        })
        .to_string();
        let dir = tempfile::tempdir().unwrap();
        let payload_file = dir.path().join("payload.json");
        std::fs::write(&payload_file, &payload).unwrap();
        let output = Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(&self.private_key)
            .arg(&payload_file)
            .output()
            .expect("openssl runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        use base64::Engine as _;
        (payload, base64::engine::general_purpose::STANDARD.encode(output.stdout))
    }
}

fn openssl(args: &[&str], out: &Path) {
    let output = Command::new("openssl").args(args).arg(out).output().expect("openssl runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

const PUSH_SIGNATURE: &str = r#"
import json, os, sys
import oras.client, oras.oci
registry, target, workdir, payload, signature = sys.argv[1:6]
os.chdir(workdir)
with open("payload.json", "w") as f:
    f.write(payload)
with open("config.json", "w") as f:
    f.write("{}")
with open("annotations.json", "w") as f:
    json.dump({"payload.json": {"dev.cosignproject.cosign/signature": signature}}, f)
client = oras.client.OrasClient(hostname=registry, insecure=True)
client.push(
    target=f"{registry}/{target}",
    files=["payload.json:application/vnd.dev.cosign.simplesigning.v1+json"],
    config_path="config.json:application/vnd.oci.image.config.v1+json",
    annotation_file="annotations.json",
    disable_path_validation=True,
)
"#;

/// Stores a signature of `repository@digest` (in `registry`) where cosign keeps it: the tag
/// `sha256-<hex>.sig`, one simple-signing layer with the signature annotation.
pub fn push_signature(registry: &str, repository: &str, digest: &str, key: &SigningKey) {
    let (payload, signature) = key.sign(&format!("{registry}/{repository}"), digest);
    let tag = format!("{repository}:{}.sig", digest.replace(':', "-"));
    let work = tempfile::tempdir().unwrap();
    let output = Command::new("python3")
        .args(["-c", PUSH_SIGNATURE, registry, &tag])
        .arg(work.path())
        .args([payload, signature])
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "oras push of the signature failed: {}", String::from_utf8_lossy(&output.stderr));
}

/// Fills `dir` with `files` files `data/file-NNN.bin` of `size` pseudo-random (incompressible)
/// bytes each, the same bytes on every call: a big artifact's content for benchmarks.
pub fn incompressible_tree(dir: &Path, files: usize, size: usize) {
    std::fs::create_dir_all(dir.join("data")).expect("data directory");
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut content = vec![0u8; size];
    for index in 0..files {
        for chunk in content.chunks_mut(8) {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        std::fs::write(dir.join(format!("data/file-{index:03}.bin")), &content).expect("a data file");
    }
}

const PUSH_DIRECTORY: &str = r#"
import os, sys, tarfile, time
import oras.client
registry, target, source, workdir = sys.argv[1:5]
started = time.monotonic()
os.chdir(workdir)
with tarfile.open("artifact.tgz", "w:gz") as archive:
    archive.add(source, arcname=".")
with open("config.json", "w") as config:
    config.write("{}")
client = oras.client.OrasClient(hostname=registry, insecure=True)
client.push(
    target=f"{registry}/{target}",
    files=["artifact.tgz:application/vnd.cncf.flux.content.v1.tar+gzip"],
    config_path="config.json:application/vnd.cncf.flux.config.v1+json",
    disable_path_validation=True,
)
print(time.monotonic() - started)
"#;

/// oras-py pushing directory `source` as a Flux artifact (Python's tarfile and gzip make the
/// layer) to `registry` (plain HTTP) as `target`: the seconds that took inside Python.
pub fn push_directory(registry: &str, target: &str, source: &Path) -> f64 {
    let work = tempfile::tempdir().expect("a work directory");
    let output = Command::new("python3")
        .args(["-c", PUSH_DIRECTORY, registry, target])
        .arg(source)
        .arg(work.path())
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "oras push failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().parse().expect("seconds")
}
