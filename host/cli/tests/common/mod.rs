//! Shared by the CLI's integration tests.

#![allow(dead_code)] // each test crate uses what it needs

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The weir binary under test, with the test plugins.
pub fn weir() -> Command {
    weir_testkit::paths::weir(env!("CARGO_BIN_EXE_weir"))
}

/// A running `weir dev`, killed on drop.
pub struct Dev {
    pub process: Child,
    pub kubeconfig: PathBuf,
}

impl Dev {
    /// `weir dev REPOSITORY --path PATH`, its state under `dir`, once its kubeconfig is written.
    pub fn start(repository: &Path, path: &str, dir: &Path) -> Self {
        let kubeconfig = dir.join("kubeconfig");
        let process = weir()
            .args(["dev", repository.to_str().unwrap(), "--path", path, "--port", "0", "--interval", "1h"])
            .arg("--kubeconfig-out")
            .arg(&kubeconfig)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let dev = Dev { process, kubeconfig };
        let started = Instant::now();
        while !dev.kubeconfig.exists() {
            assert!(started.elapsed() < Duration::from_secs(30), "weir dev did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        dev
    }

    /// A weir verb against the cluster.
    pub fn weir(&self, args: &[&str]) -> Output {
        weir().args(args).arg("--kubeconfig").arg(&self.kubeconfig).output().unwrap()
    }

    /// Stops it with Ctrl-C, as a user does; what it printed.
    pub fn interrupt(&mut self) -> String {
        let pid = self.process.id().to_string();
        assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
        let exited = Instant::now();
        let status = loop {
            if let Some(status) = self.process.try_wait().unwrap() {
                break status;
            }
            assert!(exited.elapsed() < Duration::from_secs(20), "weir dev did not stop on Ctrl-C");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success());
        let mut stderr = String::new();
        std::io::Read::read_to_string(self.process.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        stderr
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// `weir apiserver --port 0 ARGS`, once it has written `kubeconfig` (a stale one, of a
/// server started before, is removed first).
pub fn apiserver(args: &[&str], kubeconfig: &Path) -> Child {
    let _ = std::fs::remove_file(kubeconfig);
    let server = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(["apiserver", "--port", "0"])
        .args(args)
        .arg("--kubeconfig-out")
        .arg(kubeconfig)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !kubeconfig.exists() {
        assert!(started.elapsed() < Duration::from_secs(10), "weir apiserver did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    server
}

/// `weir apiserver` with weir's CRDs established and the namespace `weir-system`, for operators
/// run by the test.
pub fn cluster_with_crds(kubeconfig: &Path) -> Child {
    let server = apiserver(&[], kubeconfig);
    let crds = weir_testkit::paths::workspace().join("crds");
    kubectl(kubeconfig, &["apply", "-k", crds.to_str().unwrap()], None);
    kubectl(kubeconfig, &["wait", "--for=condition=Established", "crd", "--all"], None);
    kubectl(kubeconfig, &["create", "namespace", "weir-system"], None);
    server
}

/// Runs kubectl against `kubeconfig` with `stdin`, panicking on failure; its stdout.
pub fn kubectl(kubeconfig: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.unwrap_or("").as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "kubectl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// `kubectl get -o jsonpath` against `dev`, or None while it fails (the object is not there).
pub fn field(dev: &Dev, args: &[&str], jsonpath: &str) -> Option<String> {
    let output = Command::new("kubectl")
        .args(args)
        .arg("-o")
        .arg(format!("jsonpath={jsonpath}"))
        .env("KUBECONFIG", &dev.kubeconfig)
        .output()
        .unwrap();
    output.status.success().then(|| String::from_utf8(output.stdout).unwrap())
}

/// Waits up to 90 s until `read` gives what `accept` takes; what it gave.
pub fn eventually(what: &str, read: impl Fn() -> Option<String>, accept: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let value = read();
        if let Some(value) = value.as_deref().filter(|value| accept(value)) {
            return value.to_owned();
        }
        assert!(started.elapsed() < Duration::from_secs(90), "{what}: still {value:?} after 90 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `text` with every line indented by `by` spaces, for a block inside YAML.
pub fn indent(text: &str, by: usize) -> String {
    text.lines().map(|line| format!("{}{line}\n", " ".repeat(by))).collect()
}

/// A Git repository `fleet` under `dir` with `files` (path, content) committed on `main`.
pub fn fleet_repository(dir: &Path, files: &[(&str, String)]) -> PathBuf {
    let repository = dir.join("fleet");
    for (path, content) in files {
        let path = repository.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    weir_testkit::git::git(&repository, &["init", "--quiet", "--initial-branch=main"]);
    weir_testkit::git::git(&repository, &["add", "--all"]);
    weir_testkit::git::git(&repository, &["commit", "--quiet", "-m", "fleet"]);
    repository
}

/// `weir plugin push` of a built plugin to `oci://<registry>/<target>`; the manifest digest
/// it printed.
pub fn push_plugin(registry: &str, plugin: &str, target: &str) -> String {
    let output = weir()
        .args(["plugin", "push", &format!("oci://{registry}/{target}"), "-f"])
        .arg(weir_testkit::paths::plugin(plugin))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "push {target}: {}", String::from_utf8_lossy(&output.stderr));
    stdout.trim().rsplit_once('@').map(|(_, digest)| digest.to_owned()).unwrap_or_else(|| panic!("{stdout}"))
}

/// The whole response to `GET path` on a loopback port, or None while nothing listens.
pub fn get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nhost: probe\r\nconnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// The status line of `GET path`.
pub fn probe(port: u16, path: &str) -> Option<String> {
    get(port, path).and_then(|response| response.lines().next().map(str::to_owned))
}

/// The value of the series `name{labels}` in a Prometheus text exposition, labels in any order.
pub fn sample(exposition: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    exposition.lines().filter(|line| !line.starts_with('#')).find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (metric, rest) = series.split_once('{').unwrap_or((series, "}"));
        let rest = rest.strip_suffix('}')?;
        let pairs: Vec<(&str, &str)> = rest
            .split("\",")
            .filter(|pair| !pair.is_empty())
            .filter_map(|pair| pair.split_once("=\"").map(|(key, value)| (key, value.trim_end_matches('"'))))
            .collect();
        (metric == name && labels.iter().all(|label| pairs.contains(label))).then(|| value.parse().ok())?
    })
}

/// `weir operator` run as the installed Deployment runs it: the Deployment's own arguments
/// (read with `admin`), its volume and ports replaced by local ones, as the service account
/// of `kubeconfig`.
pub struct InstalledOperator {
    pub process: Child,
    pub health_port: u16,
    pub metrics_port: u16,
    /// Its stderr: the logs.
    pub log: PathBuf,
}

impl InstalledOperator {
    pub fn start(admin: &Path, kubeconfig: &Path, dir: &Path) -> Self {
        let jsonpath = "jsonpath={.spec.template.spec.containers[0].args}";
        let args = kubectl(admin, &["get", "deployment", "weir-controller", "-n", "weir-system", "-o", jsonpath], None);
        let (health_port, metrics_port) = (weir_testkit::net::free_port(), weir_testkit::net::free_port());
        let storage = dir.join("storage");
        let args: Vec<String> = serde_json::from_str::<Vec<String>>(&args)
            .unwrap()
            .into_iter()
            .map(|arg| match arg.split_once('=') {
                Some(("--storage-path", _)) => format!("--storage-path={}", storage.display()),
                Some(("--health-addr", _)) => format!("--health-addr=127.0.0.1:{health_port}"),
                Some(("--metrics-addr", _)) => format!("--metrics-addr=127.0.0.1:{metrics_port}"),
                _ => arg,
            })
            .collect();
        assert_eq!(args[0], "operator");
        std::fs::create_dir_all(dir).unwrap();
        let log = dir.join("operator.log");
        let process = weir()
            .args(&args)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .env("RUNTIME_NAMESPACE", "weir-system")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Self { process, health_port, metrics_port, log }
    }
}

pub const ADMIN_TOKEN: &str = "admin-token-for-the-test";
pub const OPERATOR_TOKEN: &str = "operator-token-for-the-test";

/// `weir apiserver --tls` knowing the operator's service account by its token; the admin's
/// and the operator's kubeconfigs.
pub fn cluster_for_the_operator(dir: &Path) -> (Child, PathBuf, PathBuf) {
    let tokens = dir.join("tokens.csv");
    std::fs::write(&tokens, format!("{OPERATOR_TOKEN},system:serviceaccount:weir-system:weir-controller,uid-1\n"))
        .unwrap();
    let admin = dir.join("admin.kubeconfig");
    let tokens = tokens.to_str().unwrap();
    let server =
        apiserver(&["--tls", "--simulate-workloads", "0.2", "--token", ADMIN_TOKEN, "--token-file", tokens], &admin);
    let operator = dir.join("operator.kubeconfig");
    std::fs::write(&operator, std::fs::read_to_string(&admin).unwrap().replace(ADMIN_TOKEN, OPERATOR_TOKEN)).unwrap();
    (server, admin, operator)
}

/// The YAML documents of `text`, empty ones left out.
pub fn documents(text: &str) -> Vec<serde_json::Value> {
    weir_go_yaml::parse_documents(text, &Default::default())
        .unwrap()
        .into_iter()
        .filter(|document| !document.is_null())
        .collect()
}
