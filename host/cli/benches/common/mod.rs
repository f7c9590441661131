//! Shared by the CLI's whole-process benchmarks.

use std::process::Command;
use std::time::{Duration, Instant};

/// How many runs each measurement takes: 11 under `cargo bench`, one (a
/// smoke test) under `cargo test`.
pub fn runs() -> usize {
    if std::env::args().any(|arg| arg == "--bench") { 11 } else { 1 }
}

/// The median wall time of `runs` runs of `command`; `None` when a run fails.
pub fn median_time(command: &mut Command, runs: usize) -> Option<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let output = command.output().ok()?;
        if !output.status.success() {
            return None;
        }
        times.push(started.elapsed());
    }
    Some(median(times))
}

pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// The `weir` binary, finding the plugins and the compilation cache where
/// scripts/build-plugins and the tests put them.
pub fn weir() -> Command {
    weir_testkit::paths::weir(env!("CARGO_BIN_EXE_weir"))
}
