//! Two `weir operator --enable-leader-election` replicas on one cluster: one leads and
//! reconciles, the other waits; SIGKILL of the leader hands over within the Lease's duration
//! and the successor carries on from Git; SIGTERM releases the Lease at once.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{eventually, kubectl};
use weir_testkit::git::git;

const LEASE: Duration = Duration::from_secs(4);
const RETRY: Duration = Duration::from_millis(500);

struct Replica {
    name: &'static str,
    process: Child,
    log: PathBuf,
}

impl Replica {
    fn start(name: &'static str, dir: &Path, kubeconfig: &Path) -> Self {
        let log = dir.join(format!("{name}.log"));
        let process = common::weir()
            .args(["operator", "--enable-leader-election", "--log-encoding=json"])
            .arg(format!("--leader-election-lease-duration={}ms", LEASE.as_millis()))
            .arg("--leader-election-renew-deadline=3s")
            .arg(format!("--leader-election-retry-period={}ms", RETRY.as_millis()))
            .arg(format!("--health-addr=127.0.0.1:{}", weir_testkit::net::free_port()))
            .arg(format!("--metrics-addr=127.0.0.1:{}", weir_testkit::net::free_port()))
            .arg(format!("--storage-path={}", dir.join(name).display()))
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .env("HOSTNAME", name)
            .env("RUNTIME_NAMESPACE", "weir-system")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Self { name, process, log }
    }

    /// How many reconciliations of the Kustomization it finished.
    fn reconciled(&self) -> usize {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        log.lines()
            .filter(|line| line.contains("\"msg\":\"reconciliation finished\"") && line.contains("\"name\":\"fleet\""))
            .count()
    }

    fn signal(&self, signal: &str) {
        assert!(Command::new("kill").args([signal, &self.process.id().to_string()]).status().unwrap().success());
    }

    fn wait(&mut self) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.process.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "{} did not exit", self.name);
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn holder(kubeconfig: &Path) -> Option<String> {
    let output = Command::new("kubectl")
        .args(["get", "lease", "weir-controller-leader-election", "-n", "weir-system", "-o"])
        .arg("jsonpath={.spec.holderIdentity}")
        .env("KUBECONFIG", kubeconfig)
        .output()
        .unwrap();
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn value(kubeconfig: &Path) -> Option<String> {
    let output = Command::new("kubectl")
        .args(["get", "configmap", "settings", "-n", "default", "-o", "jsonpath={.data.value}"])
        .env("KUBECONFIG", kubeconfig)
        .output()
        .unwrap();
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn one_replica_leads_and_another_takes_over_when_it_dies() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let mut server = common::cluster_with_crds(&kubeconfig);

    let settings = |value: &str| weir_testkit::manifests::config_map("default", "settings", value);
    let repository = common::fleet_repository(dir.path(), &[("apps/settings.yaml", settings("first"))]);
    let sync = format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {{name: fleet, namespace: default}}\n\
         spec: {{interval: 1s, url: \"file://{}\", ref: {{branch: main}}}}\n---\n\
         apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: fleet, namespace: default}}\n\
         spec: {{interval: 1h, path: ./apps, prune: true, sourceRef: {{kind: GitRepository, name: fleet}}}}\n",
        repository.display()
    );
    kubectl(&kubeconfig, &["apply", "-f", "-"], Some(&sync));

    let mut replicas = vec![
        Replica::start("replica-a", dir.path(), &kubeconfig),
        Replica::start("replica-b", dir.path(), &kubeconfig),
    ];
    let leader = eventually("a leader", || holder(&kubeconfig), |holder| holder.starts_with("replica-"));
    eventually("the first commit applied", || value(&kubeconfig), |value| value == "first");
    let leading = replicas.iter().position(|replica| leader.starts_with(&format!("{}_", replica.name))).unwrap();
    let mut leader_replica = replicas.remove(leading);
    let mut follower = replicas.remove(0);
    // Only the leader reconciles.
    std::thread::sleep(Duration::from_secs(1));
    assert!(leader_replica.reconciled() >= 1);
    assert_eq!(follower.reconciled(), 0, "the follower reconciled while another replica led");

    // SIGKILL: no release; the follower waits the Lease out, then leads.
    leader_replica.signal("-KILL");
    leader_replica.wait();
    let killed = Instant::now();
    let successor =
        eventually("a new leader", || holder(&kubeconfig), |holder| holder.starts_with(&format!("{}_", follower.name)));
    let failover = killed.elapsed();
    eprintln!("failover after SIGKILL: {failover:?} (lease {LEASE:?}, retry {RETRY:?})");
    assert!(failover <= LEASE + RETRY * 3 + Duration::from_secs(1), "failover took {failover:?}");
    assert!(failover >= LEASE - RETRY * 3, "took over before the lease expired: {failover:?}");

    // Nothing is lost: the successor follows Git from where the leader stopped.
    std::fs::write(repository.join("apps/settings.yaml"), settings("second")).unwrap();
    git(&repository, &["commit", "--quiet", "-am", "second"]);
    eventually("the second commit applied", || value(&kubeconfig), |value| value == "second");
    assert!(follower.reconciled() >= 1);

    // SIGTERM: the leader finishes, releases the Lease and exits cleanly; a new replica leads
    // at its first retry instead of waiting the Lease out.
    follower.signal("-TERM");
    let status = follower.wait();
    assert!(status.success(), "{}", std::fs::read_to_string(&follower.log).unwrap());
    assert_eq!(holder(&kubeconfig).as_deref(), Some(""), "the Lease of {successor} was not released");
    let replacement = Replica::start("replica-c", dir.path(), &kubeconfig);
    let started = Instant::now();
    eventually("the replacement leading", || holder(&kubeconfig), |holder| holder.starts_with("replica-c_"));
    let handover = started.elapsed();
    eprintln!("takeover of a released lease: {handover:?}");
    assert!(handover < LEASE, "the released lease was waited out: {handover:?}");
    let transitions = kubectl(
        &kubeconfig,
        &[
            "get",
            "lease",
            "weir-controller-leader-election",
            "-n",
            "weir-system",
            "-o",
            "jsonpath={.spec.leaseTransitions}",
        ],
        None,
    );
    // As client-go counts them: each change of holder after the Lease was created.
    assert_eq!(transitions, "2");
    drop(replacement);
    let _ = server.kill();
    let _ = server.wait();
}
