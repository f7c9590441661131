//! `weir push|pull|tag|list|build artifact` against a real registry (Debian's docker-registry),
//! checked by clients weir did not write: skopeo copies what weir pushes (verifying every
//! blob's digest), Python's `tarfile` reads the layer, oras-py pushes what weir pulls. What the
//! verbs print is flux's (flux2 `cmd/flux/*_artifact.go`).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use weir_testkit::oci::push_artifact;
use weir_testkit::registry::{Registry, RegistryAuth, RegistryOptions};

fn weir(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weir")).args(args).env("DOCKER_CONFIG", "/nonexistent").output().unwrap()
}

/// weir's stdout and stderr, after checking it succeeded.
fn weir_ok(args: &[&str]) -> (String, String) {
    let output = weir(args);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "weir {args:?}: {stderr}");
    (String::from_utf8(output.stdout).unwrap(), stderr)
}

fn weir_fails(args: &[&str]) -> String {
    let output = weir(args);
    assert!(!output.status.success(), "weir {args:?} succeeded");
    String::from_utf8(output.stderr).unwrap()
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{program} runs (scripts/setup installs it): {error}"));
    assert!(output.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// A fleet directory as CI would push it: manifests, a script, and what flux leaves out.
fn fleet(dir: &Path) {
    std::fs::create_dir_all(dir.join("apps/podinfo")).unwrap();
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(dir.join("kustomization.yaml"), "resources:\n- apps/podinfo\n").unwrap();
    std::fs::write(dir.join("apps/podinfo/deploy.yaml"), "kind: Deployment\nmetadata:\n  name: podinfo\n").unwrap();
    std::fs::write(dir.join("apps/logo.png"), [0x89, b'P', b'N', b'G']).unwrap();
    std::fs::write(dir.join("check.sh"), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(dir.join("check.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for sub in ["apps", "apps/podinfo"] {
        std::fs::set_permissions(dir.join(sub), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for file in ["kustomization.yaml", "apps/podinfo/deploy.yaml"] {
        std::fs::set_permissions(dir.join(file), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

/// Python reads a gzipped tarball: each entry's name, mode, type, uid, gid, mtime, and the
/// sha256 of the uncompressed stream (the layer's diff ID).
const READ_TARBALL: &str = r#"
import gzip, hashlib, json, sys, tarfile
data = open(sys.argv[1], "rb").read()
raw = gzip.decompress(data)
with tarfile.open(sys.argv[1], "r:gz") as archive:
    entries = [[m.name, oct(m.mode), m.type.decode(), m.uid, m.gid, m.mtime, m.uname, m.gname] for m in archive]
print(json.dumps({"entries": entries, "diff_id": "sha256:" + hashlib.sha256(raw).hexdigest(),
                  "digest": "sha256:" + hashlib.sha256(data).hexdigest()}))
"#;

fn read_tarball(path: &Path) -> serde_json::Value {
    serde_json::from_str(&run("python3", &["-c", READ_TARBALL, path.to_str().unwrap()])).unwrap()
}

#[test]
fn what_weir_pushes_is_flux_format_and_skopeo_reads_it() {
    let registry = Registry::start(&RegistryOptions::default());
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("fleet");
    fleet(&source);
    let url = format!("oci://{}/fleet/manifests:v1.0.0", registry.host);
    let (stdout, stderr) = weir_ok(&[
        "push",
        "artifact",
        &url,
        "--path",
        source.to_str().unwrap(),
        "--source",
        "https://github.com/org/fleet",
        "--revision",
        "main@sha1:3b1f6a7c",
        "--annotations",
        "team=platform",
        "--reproducible",
    ]);
    assert_eq!(stdout, "");
    let pushed_line = stderr.lines().nth(1).unwrap_or_default().to_owned();
    let digest = pushed_line.rsplit('@').next().unwrap().to_owned();
    assert_eq!(
        stderr,
        format!(
            "► pushing artifact to {0}/fleet/manifests:v1.0.0\n✔ artifact successfully pushed to {0}/fleet/manifests@{digest}\n",
            registry.host
        )
    );

    // skopeo copies it into an OCI layout, checking every blob against its digest.
    let layout = work.path().join("layout");
    let docker_ref = format!("docker://{}/fleet/manifests:v1.0.0", registry.host);
    let layout_ref = format!("oci:{}:v1.0.0", layout.display());
    run(
        "skopeo",
        &["--insecure-policy", "copy", "--preserve-digests", "--src-tls-verify=false", &docker_ref, &layout_ref],
    );
    let blob = |digest: &str| layout.join("blobs/sha256").join(digest.trim_start_matches("sha256:"));
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(blob(&digest)).unwrap()).unwrap();
    assert_eq!(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(manifest["config"]["mediaType"], "application/vnd.cncf.flux.config.v1+json");
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 1);
    assert_eq!(manifest["layers"][0]["mediaType"], "application/vnd.cncf.flux.content.v1.tar+gzip");
    assert_eq!(
        manifest["annotations"],
        serde_json::json!({
            "org.opencontainers.image.created": "1970-01-01T00:00:00Z",
            "org.opencontainers.image.revision": "main@sha1:3b1f6a7c",
            "org.opencontainers.image.source": "https://github.com/org/fleet",
            "team": "platform",
        })
    );

    // The layer: what fluxcd/pkg puts in a tarball, as Python's tarfile reads it.
    let layer_digest = manifest["layers"][0]["digest"].as_str().unwrap().to_owned();
    let layer = read_tarball(&blob(&layer_digest));
    assert_eq!(
        layer["entries"],
        serde_json::json!([
            [".", "0o755", "5", 0, 0, 0, "", ""],
            ["apps", "0o755", "5", 0, 0, 0, "", ""],
            ["apps/podinfo", "0o755", "5", 0, 0, 0, "", ""],
            ["apps/podinfo/deploy.yaml", "0o644", "0", 0, 0, 0, "", ""],
            ["check.sh", "0o755", "0", 0, 0, 0, "", ""],
            ["kustomization.yaml", "0o644", "0", 0, 0, 0, "", ""],
        ])
    );
    // The config is go-containerregistry's, naming the layer's diff ID; reproducible pushes
    // have the same digest.
    let config = std::fs::read_to_string(blob(manifest["config"]["digest"].as_str().unwrap())).unwrap();
    assert_eq!(
        config,
        format!(
            r#"{{"architecture":"","created":"1970-01-01T00:00:00Z","history":[{{"created":"0001-01-01T00:00:00Z"}}],"os":"","rootfs":{{"type":"layers","diff_ids":["{}"]}},"config":{{}}}}"#,
            layer["diff_id"].as_str().unwrap()
        )
    );
    let again = weir_ok(&[
        "push",
        "artifact",
        &format!("oci://{}/fleet/manifests:again", registry.host),
        "--path",
        source.to_str().unwrap(),
        "--source",
        "https://github.com/org/fleet",
        "--revision",
        "main@sha1:3b1f6a7c",
        "--annotations",
        "team=platform",
        "--reproducible",
        "--output",
        "json",
    ]);
    assert_eq!(
        again.0,
        format!(
            "{{\n  \"url\": \"oci://{0}/fleet/manifests@{digest}\",\n  \"repository\": \"{0}/fleet/manifests\",\n  \"tag\": \"again\",\n  \"digest\": \"{digest}\"\n}}\n",
            registry.host
        )
    );
    assert_eq!(again.1, "", "with --output, only the digest is printed");

    // `build artifact` writes the very layer that was pushed.
    let tarball = work.path().join("fleet.tgz");
    let (_, said) =
        weir_ok(&["build", "artifact", "--path", source.to_str().unwrap(), "-o", tarball.to_str().unwrap()]);
    assert_eq!(
        said,
        format!("► building artifact from {}\n✔ artifact created at {}\n", source.display(), tarball.display())
    );
    assert_eq!(read_tarball(&tarball)["digest"].as_str(), Some(layer_digest.as_str()));
    assert_eq!(std::fs::metadata(&tarball).unwrap().permissions().mode() & 0o777, 0o640);

    // What weir pulls back is what was pushed, without what was left out.
    let out = work.path().join("pulled");
    std::fs::create_dir(&out).unwrap();
    let (_, said) = weir_ok(&["pull", "artifact", &url, "--output", out.to_str().unwrap()]);
    assert_eq!(
        said,
        format!(
            "► pulling artifact from {0}/fleet/manifests:v1.0.0\n✔ source https://github.com/org/fleet\n✔ revision main@sha1:3b1f6a7c\n✔ digest {0}/fleet/manifests@{digest}\n✔ artifact content extracted to {1}\n",
            registry.host,
            out.display()
        )
    );
    assert_eq!(std::fs::read_to_string(out.join("kustomization.yaml")).unwrap(), "resources:\n- apps/podinfo\n");
    assert!(out.join("apps/podinfo/deploy.yaml").is_file());
    assert!(!out.join(".git").exists() && !out.join("apps/logo.png").exists());
    assert_eq!(std::fs::metadata(out.join("check.sh")).unwrap().permissions().mode() & 0o777, 0o755);
}

#[test]
fn pull_tag_and_list_what_another_client_pushed_with_credentials() {
    let registry = Registry::start(&RegistryOptions {
        auth: RegistryAuth::Basic { username: "ci", password: "s3cret" },
        ..RegistryOptions::default()
    });
    let annotations = |version: &str| {
        [
            ("org.opencontainers.image.source", "https://github.com/org/app".to_owned()),
            ("org.opencontainers.image.revision", format!("{version}@sha1:0123abcd")),
            ("org.opencontainers.image.created", "2026-12-01T10:00:00Z".to_owned()),
        ]
    };
    let mut digests = std::collections::BTreeMap::new();
    for version in ["1.0.0", "1.1.0", "2.0.0", "latest-dev"] {
        let owned = annotations(version);
        let pairs: Vec<(&str, &str)> = owned.iter().map(|(key, value)| (*key, value.as_str())).collect();
        let content = format!("kind: ConfigMap\nmetadata:\n  name: app-{version}\n");
        let digest = push_artifact(
            &registry.host,
            &format!("org/app:{version}"),
            &[("app.yaml", &content)],
            &pairs,
            Some(("ci", "s3cret")),
        );
        digests.insert(version, digest);
    }
    let repository = format!("oci://{}/org/app", registry.host);

    let out = tempfile::tempdir().unwrap();
    let (_, said) = weir_ok(&[
        "pull",
        "artifact",
        &format!("{repository}:1.1.0"),
        "-o",
        out.path().to_str().unwrap(),
        "--creds",
        "ci:s3cret",
    ]);
    assert!(said.starts_with("► logging in to registry with credentials\n► pulling artifact from"), "{said}");
    assert!(said.contains(&format!("✔ digest {}/org/app@{}\n", registry.host, digests["1.1.0"])), "{said}");
    assert_eq!(
        std::fs::read_to_string(out.path().join("app.yaml")).unwrap(),
        "kind: ConfigMap\nmetadata:\n  name: app-1.1.0\n"
    );

    // Without credentials, or with wrong ones, the registry says no and weir says so.
    let anonymous =
        weir_fails(&["pull", "artifact", &format!("{repository}:1.1.0"), "-o", out.path().to_str().unwrap()]);
    assert!(anonymous.contains("401") || anonymous.to_lowercase().contains("unauthorized"), "{anonymous}");
    let wrong = weir_fails(&["list", "artifacts", &repository, "--creds", "ci:wrong"]);
    assert!(wrong.starts_with("► logging in to registry with credentials\n✗ "), "{wrong}");

    let (_, said) =
        weir_ok(&["tag", "artifact", &format!("{repository}:1.1.0"), "--tag", "stable,prod", "--creds", "ci:s3cret"]);
    assert_eq!(
        said,
        format!(
            "► logging in to registry with credentials\n► tagging artifact\n✔ artifact tagged as {0}/org/app:stable\n✔ artifact tagged as {0}/org/app:prod\n",
            registry.host
        )
    );
    // skopeo reads the manifest under the new tag: the very bytes of 1.1.0's.
    let stable = run(
        "skopeo",
        &[
            "inspect",
            "--raw",
            "--tls-verify=false",
            "--creds",
            "ci:s3cret",
            &format!("docker://{}/org/app:stable", registry.host),
        ],
    );
    assert_eq!(weir_registry::sha256_digest(stable.as_bytes()), digests["1.1.0"]);

    // Newest name first; a semver range keeps the versions in it, a regex the names it matches.
    let host = &registry.host;
    let row = |tag: &str, digest: &str, revision: &str| {
        (
            format!("{host}/org/app:{tag}"),
            digest.to_owned(),
            "https://github.com/org/app".to_owned(),
            revision.to_owned(),
        )
    };
    let table = |rows: &[(String, String, String, String)]| {
        let headers = ("ARTIFACT".to_owned(), "DIGEST".to_owned(), "SOURCE".to_owned(), "REVISION".to_owned());
        let all: Vec<&(String, String, String, String)> = std::iter::once(&headers).chain(rows).collect();
        let width = |column: fn(&(String, String, String, String)) -> &String| {
            all.iter().map(|row| column(row).chars().count()).max().unwrap()
        };
        let widths = [width(|r| &r.0), width(|r| &r.1), width(|r| &r.2), width(|r| &r.3)];
        // tablewriter as flux sets it up: cells padded and tab-ended, the header's last cell
        // space-ended.
        all.iter()
            .enumerate()
            .map(|(index, row)| {
                let cells = [&row.0, &row.1, &row.2, &row.3];
                let padded: Vec<String> =
                    cells.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
                format!("{}{}\n", padded.join("\t"), if index == 0 { ' ' } else { '\t' })
            })
            .collect::<String>()
    };
    let (listed, _) =
        weir_ok(&["list", "artifacts", &repository, "--creds", "ci:s3cret", "--filter-semver", ">=1.1.0"]);
    assert_eq!(
        listed,
        table(&[
            row("2.0.0", &digests["2.0.0"], "2.0.0@sha1:0123abcd"),
            row("1.1.0", &digests["1.1.0"], "1.1.0@sha1:0123abcd"),
        ])
    );
    let (listed, _) =
        weir_ok(&["list", "artifacts", &repository, "--creds", "ci:s3cret", "--filter-regex", "^(prod|latest-.*)$"]);
    assert_eq!(
        listed,
        table(&[
            row("prod", &digests["1.1.0"], "1.1.0@sha1:0123abcd"),
            row("latest-dev", &digests["latest-dev"], "latest-dev@sha1:0123abcd"),
        ])
    );
}

#[test]
fn bad_input_is_refused_as_flux_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let says = |args: &[&str]| weir_fails(args);
    assert_eq!(says(&["push", "artifact", "--path", path]), "✗ artifact URL is required\n");
    assert_eq!(says(&["push", "artifact", "oci://127.0.0.1:1/a:v1", "--path", path]), "✗ --source is required\n");
    assert_eq!(
        says(&["push", "artifact", "127.0.0.1:1/a:v1", "--path", path, "--source", "s", "--revision", "r"]),
        "✗ URL must be in format 'oci://<domain>/<org>/<repo>'\n"
    );
    assert_eq!(
        says(&["push", "artifact", "oci://127.0.0.1:1/a:v1", "--path", "/nope", "--source", "s", "--revision", "r"]),
        "✗ invalid path '/nope', must point to an existing directory or file: stat /nope: no such file or directory\n"
    );
    assert_eq!(
        says(&[
            "push",
            "artifact",
            "oci://127.0.0.1:1/a:v1",
            "--path",
            path,
            "--source",
            "s",
            "--revision",
            "r",
            "-a",
            "novalue"
        ]),
        "✗ invalid annotation novalue, must be in the format key=value\n"
    );
    assert_eq!(says(&["pull", "artifact", "oci://127.0.0.1:1/a:v1"]), "✗ output path cannot be empty\n");
    assert_eq!(says(&["tag", "artifact", "oci://127.0.0.1:1/a:v1"]), "✗ --tag is required\n");
}
