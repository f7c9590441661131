//! `spec.test`: the chart's test hooks run after an install or upgrade (`helm test`); a
//! failing one fails the release unless `ignoreFailures` says otherwise.

use weir_testkit::charts::{ChartRepository, ServeOptions, StaticServer};
use weir_testkit::cluster::Cluster;

use crate::helm_support::{Setup, condition, helm_release, ready_with, released, repository, setup};

/// A test hook whose pod fails.
const FAILING_TEST: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"{{ .Release.Name }}-broken\"\n  annotations:\n    helm.sh/hook: test\n    weir.dev/simulate: fail\nspec:\n  restartPolicy: Never\n  containers:\n  - name: check\n    image: busybox\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_tests_are_recorded() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    cluster.apply(&helm_release("  test:\n    enable: true\n")).await;
    let release =
        released(&cluster, |r| condition(r, "TestSuccess").is_some_and(|(status, _, _)| status == "True")).await;
    let (_, reason, message) = condition(&release, "TestSuccess").unwrap();
    assert_eq!(reason, "TestSucceeded");
    assert_eq!(
        message,
        "Helm test succeeded for release default/web.v1 with chart web@1.0.0: 1 test hook(s) completed successfully"
    );
    let snapshot = &release.status.as_ref().unwrap().history.as_ref().unwrap()[0];
    let hooks = snapshot.test_hooks.as_ref().expect("the test hooks are in the snapshot");
    assert_eq!(hooks["web-test-connection"].phase.as_deref(), Some("Succeeded"));
    // Helm's record has the hook's last run too, as `helm test` leaves it.
    let hooks = helm.run(&["get", "hooks", "web"]);
    assert!(hooks.contains("web-test-connection"), "{hooks}");
    let status = helm.json(&["status", "web", "-o", "json"]);
    assert_eq!(status["hooks"][0]["last_run"]["phase"], "Succeeded", "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_test_fails_the_release_unless_ignored() {
    let charts = ChartRepository::new();
    let source = charts.chart_source("web", "1.0.0", "");
    std::fs::write(source.join("templates/tests/broken.yaml"), FAILING_TEST).unwrap();
    charts.package(&source, None);
    let server = StaticServer::start(&charts.root, &ServeOptions::default());
    let cluster = Cluster::start().await;
    cluster.apply(&repository(&server.url)).await;

    cluster.apply(&helm_release("  test:\n    enable: true\n")).await;
    let release = released(&cluster, |r| condition(r, "Stalled").is_some_and(|(status, _, _)| status == "True")).await;
    let (status, reason, message) = condition(&release, "TestSuccess").unwrap();
    assert_eq!((status.as_str(), reason.as_str()), ("False", "TestFailed"));
    assert!(message.contains("web/templates/tests/broken.yaml"), "{message}");
    let (_, reason, message) = condition(&release, "Ready").unwrap();
    assert_eq!((reason.as_str(), message.as_str()), ("RetriesExceeded", "Failed to install after 1 attempt(s)"));

    cluster.apply(&helm_release("  test:\n    enable: true\n    ignoreFailures: true\n")).await;
    let release = released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;
    assert_eq!(condition(&release, "TestSuccess").unwrap().0, "False", "the failure stays visible");
}
