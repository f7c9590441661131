//! Where things are, for every crate's tests alike.

use std::path::PathBuf;
use std::process::Command;

/// The workspace root (the folder holding the root `Cargo.toml`).
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `testdata/`: the corpora the conformance suites and benchmarks share.
pub fn testdata() -> PathBuf {
    workspace().join("testdata")
}

/// The built plugin components: `$WEIR_PLUGIN_DIR`, else `target/plugins`,
/// filled by `scripts/build-plugins`.
pub fn plugin_dir() -> PathBuf {
    std::env::var_os("WEIR_PLUGIN_DIR").map(PathBuf::from).unwrap_or_else(|| workspace().join("target/plugins"))
}

/// Where tests keep precompiled components between runs, so that only the
/// first run after a plugin build compiles it.
pub fn plugin_cache() -> PathBuf {
    workspace().join("target/plugin-cache")
}

/// The built component `name` (`target/plugins/NAME.wasm`), which must exist.
pub fn plugin(name: &str) -> PathBuf {
    let path = plugin_dir().join(format!("{name}.wasm"));
    assert!(path.is_file(), "{} is missing: run scripts/build-plugins first", path.display());
    path
}

/// The `weir` CLI at `binary` (a test's `env!("CARGO_BIN_EXE_weir")`) as a
/// command that finds the built plugins and keeps compiled ones in [`plugin_cache`].
pub fn weir(binary: &str) -> Command {
    let mut command = Command::new(binary);
    command.env("WEIR_PLUGIN_DIR", plugin_dir()).env("WEIR_CACHE_DIR", plugin_cache());
    command
}
