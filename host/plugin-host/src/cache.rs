//! Precompiled components on disk, so a restart does not recompile.
//!
//! An entry is keyed by the component's BLAKE3 digest (hashing is on every
//! start's path: BLAKE3 takes a fraction of SHA-256's time on a multi-megabyte
//! component) and by the engine's
//! compatibility hash (wasmtime version + every setting that changes code
//! generation), so a stale or foreign artifact is never looked up. Entries
//! are written to a temporary file and renamed into place: a crash leaves
//! either no entry or a whole one.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

pub(crate) struct ComponentCache {
    dir: PathBuf,
    engine_key: String,
}

impl ComponentCache {
    pub(crate) fn new(engine: &Engine, dir: PathBuf) -> Self {
        // DefaultHasher::new() uses fixed keys: stable for one build of the host,
        // which is exactly the scope in which precompiled code may be reused.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Self { dir, engine_key: format!("{:016x}", hasher.finish()) }
    }

    fn entry_path(&self, wasm: &[u8]) -> PathBuf {
        let digest = blake3::hash(wasm).to_hex();
        self.dir.join(format!("{digest}-{}.cwasm", self.engine_key))
    }

    /// Returns the component, from the cache when an entry exists, otherwise
    /// compiled now and stored. A cache that cannot be written only costs
    /// the next start a recompile.
    pub(crate) fn load_or_compile(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Component> {
        let path = self.entry_path(wasm);
        if path.is_file() {
            // SAFETY: only this host writes into the cache directory, the file name
            // binds it to these exact wasm bytes and this engine configuration, and
            // it was renamed into place only once completely written.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok(component),
                Err(err) => tracing::warn!(path = %path.display(), "discarding unusable precompiled plugin: {err:#}"),
            }
        }
        let component = Component::new(engine, wasm)?;
        if let Err(err) = write_atomically(&self.dir, &path, &component.serialize()?) {
            tracing::warn!(path = %path.display(), "cannot cache precompiled plugin: {err}");
        }
        Ok(component)
    }
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile_in(dir)?;
    std::io::Write::write_all(&mut tmp.1, bytes)?;
    tmp.1.sync_all()?;
    std::fs::rename(&tmp.0, path)
}

/// A uniquely named file in `dir` (process id + counter: no two writers collide).
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = format!(".tmp-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let path = dir.join(name);
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    Ok((path, file))
}
