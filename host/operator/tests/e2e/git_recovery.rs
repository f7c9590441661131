//! An unreachable Git server: the source reports the failure, backs off, and
//! recovers by itself once the server is back; the last artifact keeps serving meanwhile.

use weir_testkit::cluster::{Cluster, PATIENCE, applied, config_map, eventually, gitops};
use weir_testkit::git::GitServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_outage_is_reported_and_recovered_from() {
    let mut git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("a.yaml", &config_map("default", "a", "one"));
    let first = repository.commit("one");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("fleet", &repository.url, "./", "")).await;
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &first)).await;

    git.daemon.stop();
    repository.write("a.yaml", &config_map("default", "a", "two"));
    let second = repository.commit("two");
    let failing = eventually(PATIENCE, || async {
        let source = cluster.git_repository("default", "fleet").await;
        let status = source.status.unwrap_or_default();
        let ready = status.conditions.clone().unwrap_or_default().into_iter().find(|c| c.type_ == "Ready");
        match ready {
            Some(ready) if ready.status == "False" => Ok((ready, status.artifact)),
            _ => Err(String::new()),
        }
    })
    .await
    .expect("the outage is reported");
    let (ready, artifact) = failing;
    assert_eq!(ready.reason, "GitOperationFailed");
    assert!(ready.message.contains(&repository.url), "{}", ready.message);
    assert!(artifact.unwrap().revision.ends_with(&first), "the last artifact stays");

    git.daemon.resume();
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &second)).await;
    let source = cluster.git_repository("default", "fleet").await;
    let ready = source.status.unwrap().conditions.unwrap().into_iter().find(|c| c.type_ == "Ready").unwrap();
    assert_eq!((ready.status.as_str(), ready.reason.as_str()), ("True", "Succeeded"));
}
