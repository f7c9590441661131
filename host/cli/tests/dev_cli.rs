//! `weir dev` end to end as a user runs it: a local repository (read over
//! file://, from its commits) is bootstrapped; then `weir reconcile`, `weir get`,
//! `weir build` and `weir diff` work against it, and Ctrl-C stops it cleanly.

mod common;

use common::Dev;
use weir_testkit::git::git;

const SETTINGS: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  value: one\n";

#[test]
fn dev_bootstraps_a_repository_and_the_flux_verbs_work_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let repository = dir.path().join("fleet");
    std::fs::create_dir_all(repository.join("apps")).unwrap();
    std::fs::write(repository.join("apps/settings.yaml"), SETTINGS).unwrap();
    git(&repository, &["init", "--quiet", "--initial-branch=main"]);
    git(&repository, &["add", "--all"]);
    git(&repository, &["commit", "--quiet", "-m", "first"]);
    let commit = git(&repository, &["rev-parse", "HEAD"]);

    let mut dev = Dev::start(&repository, "apps", dir.path());

    let reconciled = dev.weir(&["reconcile", "kustomization", "flux-system", "--with-source", "--timeout", "30s"]);
    // As flux, the progress goes to stderr.
    let said = String::from_utf8_lossy(&reconciled.stderr);
    assert!(reconciled.status.success(), "{said}");
    assert!(said.contains(&format!("✔ applied revision main@sha1:{commit}")), "{said}");

    let table = dev.weir(&["get", "kustomizations"]);
    let table = String::from_utf8_lossy(&table.stdout);
    let row = table.lines().find(|line| line.starts_with("flux-system")).unwrap_or_else(|| panic!("{table}"));
    // As flux, `get` shows commits by their first 8 digits.
    let short = &commit[..8];
    assert!(row.contains("\tTrue") && row.contains(&format!("\tmain@sha1:{short}\t")), "{table}");
    let sources = dev.weir(&["get", "sources", "git"]);
    assert!(String::from_utf8_lossy(&sources.stdout).contains(&format!("\tmain@sha1:{short}\t")));

    // A HelmRepository nobody serves: the real controller's failure is what `create` and
    // `reconcile` report, as flux reports it.
    let created =
        dev.weir(&["create", "source", "helm", "broken", "--url", "http://127.0.0.1:1/charts", "--timeout", "30s"]);
    let said = String::from_utf8_lossy(&created.stderr);
    assert!(!created.status.success(), "{said}");
    assert!(said.contains("✔ source created\n") && said.contains("✗ failed to fetch Helm repository index"), "{said}");
    let reconciled = dev.weir(&["reconcile", "source", "helm", "broken", "--timeout", "30s"]);
    let said = String::from_utf8_lossy(&reconciled.stderr);
    assert!(!reconciled.status.success(), "{said}");
    assert!(said.contains("✔ HelmRepository annotated\n"), "{said}");
    assert!(said.contains("✗ HelmRepository reconciliation failed: 'failed to fetch Helm repository index"), "{said}");
    let table = dev.weir(&["get", "sources", "helm"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.lines().nth(1).is_some_and(|row| row.starts_with("broken\t") && row.contains("\tFalse")), "{table}");

    // The work tree changes; the cluster follows commits only, so build and diff show the difference.
    std::fs::write(repository.join("apps/settings.yaml"), SETTINGS.replace("one", "two")).unwrap();
    let built =
        dev.weir(&["build", "kustomization", "flux-system", "--path", repository.join("apps").to_str().unwrap()]);
    let yaml = String::from_utf8_lossy(&built.stdout);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    assert!(yaml.contains("value: two") && yaml.contains("kustomize.toolkit.fluxcd.io/name: flux-system"), "{yaml}");

    let diff = dev.weir(&["diff", "kustomization", "flux-system", "--path", repository.join("apps").to_str().unwrap()]);
    let report = String::from_utf8_lossy(&diff.stdout);
    assert_eq!(diff.status.code(), Some(1), "{report}{}", String::from_utf8_lossy(&diff.stderr));
    assert!(report.contains("► ConfigMap/default/settings drifted") && report.contains(".data.value"), "{report}");

    std::fs::write(repository.join("apps/settings.yaml"), SETTINGS).unwrap();
    let same = dev.weir(&["diff", "kustomization", "flux-system", "--path", repository.join("apps").to_str().unwrap()]);
    assert_eq!(same.status.code(), Some(0), "{}", String::from_utf8_lossy(&same.stdout));

    // Ctrl-C stops it cleanly.
    let stderr = dev.interrupt();
    assert!(stderr.contains("✔ bootstrapped file://") && stderr.contains("✔ stopped"), "{stderr}");
}
