//! `decryption`: SOPS-encrypted Secrets (encrypted here by the real sops) are
//! decrypted by the decryptor plugin with the keys of Flux's decryption Secret;
//! without the right key the Kustomization fails with DecryptionFailed.

use std::process::Command;

use base64::Engine;

use weir_testkit::cluster::{Cluster, applied, gitops, ready_condition};
use weir_testkit::git::GitServer;

const SECRET: &str =
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: default\nstringData:\n  password: hunter2\n";

/// A fresh age identity: (the key file's text, its recipient).
fn age_identity() -> (String, String) {
    let output = Command::new("age-keygen").output().expect("age-keygen is installed (scripts/setup)");
    let text = String::from_utf8(output.stdout).unwrap();
    let recipient = text.lines().find_map(|line| line.strip_prefix("# public key: ")).unwrap().to_owned();
    (text, recipient)
}

fn decryption_secret(name: &str, key_file: &str) -> String {
    let indented: String = key_file.lines().map(|line| format!("    {line}\n")).collect();
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\nstringData:\n  identity.agekey: |\n{indented}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sops_secrets_are_decrypted_with_the_right_key_only() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    let (key_file, recipient) = age_identity();
    repository.write("db.yaml", SECRET);
    let encrypted = Command::new("sops")
        .args(["--encrypt", "--age", &recipient, "--encrypted-regex", "^(data|stringData)$", "--in-place", "db.yaml"])
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .current_dir(&repository.dir)
        .output()
        .expect("sops is installed (scripts/setup)");
    assert!(encrypted.status.success(), "{}", String::from_utf8_lossy(&encrypted.stderr));
    assert!(!std::fs::read_to_string(repository.dir.join("db.yaml")).unwrap().contains("hunter2"));
    let commit = repository.commit("encrypted secret");

    let cluster = Cluster::start().await;
    cluster.apply(&decryption_secret("sops-age", &key_file)).await;
    cluster.apply(&decryption_secret("wrong-age", &age_identity().0)).await;
    let decryption = |secret: &str| format!("decryption:\n  provider: sops\n  secretRef:\n    name: {secret}");
    cluster.apply(&gitops("fleet", &repository.url, "./", &decryption("sops-age"))).await;
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &commit)).await;
    let secret = cluster.get("v1", "Secret", Some("default"), "db").await.unwrap();
    let password =
        base64::engine::general_purpose::STANDARD.decode(secret["data"]["password"].as_str().unwrap()).unwrap();
    assert_eq!(password, b"hunter2");
    assert!(secret.get("sops").is_none(), "the sops metadata is not applied");

    // The same manifests with the wrong key: nothing applied, a clear reason.
    cluster.apply(&gitops("wrong", &repository.url, "./", &decryption("wrong-age"))).await;
    let failed = cluster
        .wait_kustomization("default", "wrong", |ks| {
            ready_condition(ks).is_some_and(|(_, reason, _)| reason == "DecryptionFailed")
        })
        .await;
    let (status, _, message) = ready_condition(&failed).unwrap();
    assert_eq!(status, "False");
    assert!(message.starts_with("Secret/default/db: decryption failed"), "{message}");
    assert!(!message.contains("hunter2"));
}
