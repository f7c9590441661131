//! `weir create secret …`: the Secrets flux makes, key for key and type for type (`--export`),
//! SSH keys read or made in memory with the server's host key scanned, and created in a cluster.

mod common;

use std::process::Command;

use serde_json::Value;
use weir_testkit::git::ssh::{PASSPHRASE, Sshd};

fn export(args: &[&str]) -> Value {
    let output =
        common::weir().args(["create", "secret"]).args(args).args(["-n", "my-namespace", "--export"]).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    let documents = common::documents(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(documents.len(), 1);
    documents.into_iter().next().unwrap()
}

fn refused(args: &[&str]) -> String {
    let output = common::weir().args(["create", "secret"]).args(args).arg("--export").output().unwrap();
    assert!(!output.status.success(), "{args:?} was accepted");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn secrets_are_laid_out_as_flux_lays_them_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let (crt, key, ca) = (file("tls.crt", "CERT\n"), file("tls.key", "KEY\n"), file("ca.crt", "CA\n"));

    let basic = export(&["git", "auth", "--url=https://example.com/repo", "--username=me", "--password=pw"]);
    assert_eq!(basic["metadata"], serde_json::json!({"name": "auth", "namespace": "my-namespace"}));
    assert_eq!(basic["stringData"], serde_json::json!({"username": "me", "password": "pw"}));
    assert!(basic["type"].is_null());
    let token =
        export(&["git", "auth", "--url=https://example.com/repo", "--bearer-token=t0ken", "--ca-crt-file", &ca]);
    assert_eq!(token["stringData"], serde_json::json!({"bearerToken": "t0ken", "ca.crt": "CA\n"}));
    let both = refused(&[
        "git",
        "auth",
        "--url=https://example.com/repo",
        "--username=me",
        "--password=pw",
        "--bearer-token=t",
    ]);
    assert!(both.contains("user credentials and bearer token cannot be used together"), "{both}");

    let helm = export(&["helm", "repo", "--username=me", "--password=pw"]);
    assert_eq!(
        (helm["type"].as_str(), helm["stringData"]["username"].as_str()),
        (Some("kubernetes.io/basic-auth"), Some("me"))
    );
    let mtls = export(&["helm", "repo", "--tls-crt-file", &crt, "--tls-key-file", &key, "--ca-crt-file", &ca]);
    assert_eq!(mtls["type"], "kubernetes.io/tls");
    assert_eq!(mtls["stringData"], serde_json::json!({"tls.crt": "CERT\n", "tls.key": "KEY\n", "ca.crt": "CA\n"}));
    let tls = export(&["tls", "certs", "--ca-crt-file", &ca]);
    assert!(tls["type"].is_null(), "a CA alone is no kubernetes.io/tls Secret");

    let oci = export(&["oci", "ghcr", "--url=ghcr.io", "--username=me", "--password=pw"]);
    assert_eq!(oci["type"], "kubernetes.io/dockerconfigjson");
    assert_eq!(
        oci["stringData"][".dockerconfigjson"],
        "{\n  \"auths\": {\n    \"ghcr.io\": {\n      \"username\": \"me\",\n      \"password\": \"pw\",\n      \"auth\": \"bWU6cHc=\"\n    }\n  }\n}"
    );
    assert!(refused(&["oci", "ghcr"]).contains("--url is required"));

    let private_key = file("app.pem", "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n");
    let app = export(&["githubapp", "app", "--app-id=1", "--app-installation-id=2", "--app-private-key", &private_key]);
    assert_eq!(app["stringData"]["githubAppID"], "1");
    assert_eq!(app["stringData"]["githubAppInstallationID"], "2");
    assert_eq!(
        app["stringData"]["githubAppPrivateKey"],
        "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----"
    );
    let proxy = export(&["proxy", "proxy", "--address=https://proxy.example", "--username=me", "--password=pw"]);
    assert_eq!(
        (proxy["type"].as_str(), proxy["stringData"]["address"].as_str()),
        (Some("Opaque"), Some("https://proxy.example"))
    );
    assert!(refused(&["proxy", "proxy"]).contains("address is required"));
}

#[test]
fn ssh_secrets_carry_the_key_pair_and_the_scanned_host_key() {
    let Some(sshd) = Sshd::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("encrypted");
    std::fs::write(&key, &sshd.encrypted_key).unwrap();
    // ssh-keygen reads only a key its owner alone may read.
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let url = format!("ssh://git@127.0.0.1:{}/fleet.git", sshd.port);
    let secret =
        export(&["git", "auth", "--url", &url, "--private-key-file", key.to_str().unwrap(), "--password", PASSPHRASE]);
    let data = &secret["stringData"];
    assert_eq!(data["identity"], String::from_utf8(sshd.encrypted_key.clone()).unwrap());
    assert_eq!(data["password"], PASSPHRASE);
    // The public key, as ssh-keygen derives it from the encrypted identity.
    let derived = Command::new("ssh-keygen").args(["-y", "-P", PASSPHRASE, "-f"]).arg(&key).output().unwrap();
    let derived = String::from_utf8(derived.stdout).unwrap();
    let public = data["identity.pub"].as_str().unwrap();
    assert_eq!(
        public.split_whitespace().take(2).collect::<Vec<_>>(),
        derived.split_whitespace().take(2).collect::<Vec<_>>()
    );
    let host_key = String::from_utf8(sshd.known_hosts.clone()).unwrap();
    let host_key: Vec<&str> = host_key.split_whitespace().skip(1).take(2).collect();
    let known_hosts = data["known_hosts"].as_str().unwrap();
    assert!(known_hosts.starts_with(&format!("[127.0.0.1]:{} ", sshd.port)), "{known_hosts}");
    assert!(known_hosts.contains(&host_key.join(" ")), "{known_hosts} lacks {host_key:?}");

    // Without a key, one is made (ECDSA P-384 by default) and its public half told.
    let made = export(&["git", "auth", "--url", &url]);
    assert!(made["stringData"]["identity"].as_str().unwrap().starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
    assert!(made["stringData"]["identity.pub"].as_str().unwrap().starts_with("ecdsa-sha2-nistp384 "));
    let ed25519 = export(&["git", "auth", "--url", &url, "--ssh-key-algorithm=ed25519"]);
    assert!(ed25519["stringData"]["identity.pub"].as_str().unwrap().starts_with("ssh-ed25519 "));
}

#[test]
fn create_applies_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let mut server = common::apiserver(&[], &kubeconfig);
    common::kubectl(&kubeconfig, &["create", "namespace", "flux-system"], None);
    let created = common::weir()
        .args(["create", "secret", "helm", "repo", "--username=me", "--password=pw", "--label=team=a", "--kubeconfig"])
        .arg(&kubeconfig)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&created.stderr);
    assert!(created.status.success(), "{said}");
    assert_eq!(said, "► helm secret 'repo' created in 'flux-system' namespace\n");
    let jsonpath = "jsonpath={.type} {.metadata.labels.team} {.data.password}";
    let found = common::kubectl(&kubeconfig, &["get", "secret", "repo", "-n", "flux-system", "-o", jsonpath], None);
    assert_eq!(found, "kubernetes.io/basic-auth a cHc=");
    let _ = server.kill();
    let _ = server.wait();
}
