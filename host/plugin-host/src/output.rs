//! A plugin's stdout/stderr: kept up to a cap, then forwarded to `tracing`.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// One output stream of one call. Writes past the cap are accepted and
/// counted, never failed: a chatty plugin must not crash on `println!`.
#[derive(Clone)]
pub(crate) struct CapturedOutput {
    inner: Arc<Mutex<Captured>>,
}

#[derive(Default)]
struct Captured {
    kept: Vec<u8>,
    dropped: usize,
    cap: usize,
}

impl CapturedOutput {
    pub(crate) fn new(cap: usize) -> Self {
        Self { inner: Arc::new(Mutex::new(Captured { cap, ..Captured::default() })) }
    }

    fn append(&self, bytes: &[u8]) {
        let mut captured = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let room = captured.cap.saturating_sub(captured.kept.len());
        let taken = room.min(bytes.len());
        captured.kept.extend_from_slice(&bytes[..taken]);
        captured.dropped += bytes.len() - taken;
    }

    /// The last line kept that says something (a panic message, not Rust's
    /// `note: run with RUST_BACKTRACE` hint).
    pub(crate) fn last_line(&self) -> Option<String> {
        let captured = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let text = String::from_utf8_lossy(&captured.kept);
        text.lines()
            .rev()
            .find(|line| !line.trim().is_empty() && !line.starts_with("note: "))
            .map(|line| line.trim().to_owned())
    }

    /// Logs what the plugin wrote, one event per line.
    pub(crate) fn forward_to_log(&self, plugin: &str, stream: &'static str) {
        let captured = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for line in String::from_utf8_lossy(&captured.kept).lines() {
            tracing::info!(target: "weir::plugin", plugin, stream, "{line}");
        }
        if captured.dropped > 0 {
            tracing::warn!(target: "weir::plugin", plugin, stream, dropped = captured.dropped, "plugin output truncated");
        }
    }
}

impl IsTerminal for CapturedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for CapturedOutput {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.append(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_up_to_the_cap_and_counts_the_rest() {
        let out = CapturedOutput::new(4);
        out.append(b"abc");
        out.append(b"defg");
        let captured = out.inner.lock().unwrap();
        assert_eq!(captured.kept, b"abcd");
        assert_eq!(captured.dropped, 3);
    }
}
