//! Hostile plugins are contained: every misdeed ends in a typed error, the
//! host survives, and other calls keep being served meanwhile.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{STRICT, STRICT_MEMORY, STRICT_TIMEOUT};
use weir_plugin_host::CallError;
use weir_plugin_host::renderer::{BuildOptions, Rendered, RendererPlugin, Reorder};
use weir_plugin_host::types::{Error, ErrorCode};

fn misdeed(path: &str, argument: &str) -> BuildOptions {
    BuildOptions { reorder: Some(Reorder::Legacy), name_prefix: Some(argument.into()), ..common::build_options(path) }
}

struct Fixture {
    plugin: RendererPlugin,
    /// Holds `src/` (the granted tree, with hello.txt) and `secret.txt` beside it.
    root: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let runtime = common::runtime();
        let plugin = RendererPlugin::new(runtime.clone(), common::load(&runtime, "hostile")).unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("src")).unwrap();
        std::fs::write(root.path().join("src/hello.txt"), "hello from the tree").unwrap();
        std::fs::write(root.path().join("secret.txt"), "the host's secret").unwrap();
        Self { plugin, root }
    }

    fn source(&self) -> std::path::PathBuf {
        self.root.path().join("src")
    }

    async fn run(&self, tenant: &str, path: &str, argument: &str) -> Result<Result<Rendered, Error>, CallError> {
        self.plugin.build(tenant, &self.source(), &misdeed(path, argument)).await
    }
}

fn refused(outcome: Result<Result<Rendered, Error>, CallError>) -> String {
    match outcome {
        Ok(Err(error)) if error.code == ErrorCode::Denied => error.message,
        other => panic!("expected the plugin to be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn reads_inside_the_granted_tree() {
    let fixture = Fixture::new();
    let rendered = fixture.run("default", "read", "hello.txt").await.unwrap().unwrap();
    assert_eq!(rendered.documents, ["hello from the tree"]);
}

#[tokio::test]
async fn cannot_read_host_files() {
    let fixture = Fixture::new();
    refused(fixture.run("default", "read-outside", "/etc/passwd").await);
    let secret = fixture.root.path().join("secret.txt");
    refused(fixture.run("default", "read-outside", &secret.to_string_lossy()).await);
}

#[tokio::test]
async fn cannot_escape_the_tree_with_dot_dot() {
    let fixture = Fixture::new();
    refused(fixture.run("default", "read", "../secret.txt").await);
    refused(fixture.run("default", "read-outside", "/src/../secret.txt").await);
    refused(fixture.run("default", "read-outside", "../secret.txt").await);
}

#[tokio::test]
async fn cannot_write_into_the_tree() {
    let fixture = Fixture::new();
    refused(fixture.run("default", "write", "").await);
    assert!(!fixture.source().join("planted.txt").exists());
}

#[tokio::test]
async fn cannot_open_sockets() {
    let fixture = Fixture::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let message = refused(fixture.run("default", "connect", &port.to_string()).await);
    assert!(message.contains("access-denied"), "{message}");
    assert_eq!(listener.accept().unwrap_err().kind(), std::io::ErrorKind::WouldBlock, "nothing connected");
}

#[tokio::test]
async fn an_endless_loop_is_stopped_at_its_deadline() {
    let fixture = Fixture::new();
    let started = Instant::now();
    let outcome = fixture.run(STRICT, "loop", "").await;
    let elapsed = started.elapsed();
    assert!(matches!(outcome, Err(CallError::Timeout { limit, .. }) if limit == STRICT_TIMEOUT), "{outcome:?}");
    assert!(elapsed >= STRICT_TIMEOUT && elapsed < STRICT_TIMEOUT + Duration::from_millis(500), "{elapsed:?}");
}

#[tokio::test]
async fn a_plugin_blocked_in_a_host_call_is_stopped_at_its_deadline() {
    let fixture = Fixture::new();
    let started = Instant::now();
    let outcome = fixture.run(STRICT, "sleep", "").await;
    assert!(matches!(outcome, Err(CallError::Timeout { .. })), "{outcome:?}");
    assert!(started.elapsed() < STRICT_TIMEOUT + Duration::from_millis(500));
}

#[tokio::test]
async fn allocating_beyond_the_cap_fails() {
    let fixture = Fixture::new();
    let outcome = fixture.run(STRICT, "allocate", "").await;
    assert!(matches!(outcome, Err(CallError::MemoryLimit { limit, .. }) if limit == STRICT_MEMORY), "{outcome:?}");
}

#[tokio::test]
async fn a_panic_is_reported_with_its_message() {
    let fixture = Fixture::new();
    match fixture.run("default", "panic", "").await {
        Err(CallError::Trap { plugin, reason }) => {
            assert_eq!(plugin, "hostile");
            assert!(reason.contains("hostile plugin panicked on purpose"), "{reason}");
        }
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[tokio::test]
async fn an_abort_is_reported_as_a_trap() {
    let fixture = Fixture::new();
    let outcome = fixture.run("default", "trap", "").await;
    assert!(matches!(outcome, Err(CallError::Trap { .. })), "{outcome:?}");
}

/// Collects what the `tracing` subscriber writes.
#[derive(Clone, Default)]
struct LogBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn endless_output_is_logged_up_to_the_cap_not_fatal() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let fixture = Fixture::new();
    let rendered = fixture.run("default", "chatter", "").await.unwrap().unwrap();
    assert_eq!(rendered.documents, ["chattered"]);
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("weir::plugin: chatter line 0 plugin=\"hostile\" stream=\"stdout\"\n"),
        "{}",
        &logged[..300.min(logged.len())]
    );
    assert!(!logged.contains("chatter line 99999"), "output beyond the cap is dropped");
    assert!(logged.contains("plugin output truncated"));
}

#[tokio::test]
async fn a_missing_source_tree_is_a_setup_error() {
    let fixture = Fixture::new();
    let outcome = fixture.plugin.build("default", Path::new("/nonexistent/weir"), &misdeed("read", "x")).await;
    assert!(matches!(outcome, Err(CallError::Setup { .. })), "{outcome:?}");
}

/// While one call spins until its deadline and another hoards memory, the
/// runtime keeps answering well-behaved calls on the same threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_calls_keep_succeeding_meanwhile() {
    let fixture = std::sync::Arc::new(Fixture::new());
    let spinning = tokio::spawn({
        let fixture = fixture.clone();
        async move { fixture.run(STRICT, "loop", "").await }
    });
    let hoarding = tokio::spawn({
        let fixture = fixture.clone();
        async move { fixture.run(STRICT, "allocate", "").await }
    });
    let started = Instant::now();
    for _ in 0..50 {
        let rendered = fixture.run("default", "read", "hello.txt").await.unwrap().unwrap();
        assert_eq!(rendered.documents, ["hello from the tree"]);
    }
    assert!(started.elapsed() < STRICT_TIMEOUT, "well-behaved calls were held up: {:?}", started.elapsed());
    assert!(!spinning.is_finished(), "the loop should still be running");
    assert!(matches!(spinning.await.unwrap(), Err(CallError::Timeout { .. })));
    assert!(matches!(hoarding.await.unwrap(), Err(CallError::MemoryLimit { .. })));
}
