//! A GitRepository over smart HTTP (`git http-backend`) with basic auth from
//! its `secretRef`, as `flux create secret git` makes it; a wrong password is
//! reported as AuthenticationFailed.

use weir_testkit::cluster::{Cluster, PATIENCE, applied, config_map, eventually, gitops};
use weir_testkit::git::GitServer;
use weir_testkit::git::{HttpAuth, http_server};

const CREDENTIALS: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: git-auth\n  namespace: default\nstringData:\n  username: flux\n  password: s3cret\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: wrong-auth\n  namespace: default\nstringData:\n  username: flux\n  password: guessed\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smart_http_with_basic_auth() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("settings.yaml", &config_map("default", "settings", "over http"));
    let commit = repository.commit("first");
    let auth = HttpAuth::Basic { username: "flux".into(), password: "s3cret".into() };
    let server = http_server(git.root.path(), auth);
    let url = format!("http://127.0.0.1:{}/fleet", server.port);

    let cluster = Cluster::start().await;
    cluster.apply(CREDENTIALS).await;
    let with_secret = |name: &str, secret: &str| {
        gitops(name, &url, "./", "").replacen("  ref:\n", &format!("  secretRef:\n    name: {secret}\n  ref:\n"), 1)
    };
    cluster.apply(&with_secret("fleet", "git-auth")).await;
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &commit)).await;
    let settings = cluster.get("v1", "ConfigMap", Some("default"), "settings").await.unwrap();
    assert_eq!(settings["data"]["value"], "over http");

    cluster.apply(&with_secret("denied", "wrong-auth")).await;
    let ready = eventually(PATIENCE, || async {
        let source = cluster.git_repository("default", "denied").await;
        let conditions = source.status.and_then(|status| status.conditions).unwrap_or_default();
        conditions.into_iter().find(|c| c.type_ == "Ready" && c.status == "False").ok_or_else(String::new)
    })
    .await
    .expect("the wrong password is reported");
    assert_eq!(ready.reason, "AuthenticationFailed");
    assert!(!ready.message.contains("guessed"), "{}", ready.message);
}
