//! The WASI base every plugin gets: clocks, random, stdout/stderr (captured
//! and forwarded to the log), and the directories its call is about,
//! read-only, and the environment variables it was granted. Sockets and name lookup stay
//! closed (WASI's defaults).

use std::path::PathBuf;

use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::{CallContext, Capability, HostState};

/// WASI preview 2, with only what [`Grants::preopens`](super::Grants) opens.
pub(crate) struct Wasi;

impl Capability for Wasi {
    fn link(&self, linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
        wasmtime_wasi::p2::add_to_linker_async(linker)
    }
}

/// A host directory the plugin sees, read-only, at `guest_path`.
#[derive(Debug, Clone)]
pub(crate) struct Preopen {
    pub(crate) host_path: PathBuf,
    pub(crate) guest_path: &'static str,
}

pub(super) struct WasiState {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiState {
    pub(super) fn new(preopens: &[Preopen], env: &[(String, String)], call: &CallContext) -> Result<Self, String> {
        let mut wasi = WasiCtxBuilder::new();
        wasi.stdout(call.stdout.clone()).stderr(call.stderr.clone()).envs(env);
        for dir in preopens {
            wasi.preopened_dir(&dir.host_path, dir.guest_path, FsPerms::ReadOnly)
                .map_err(|err| format!("cannot open {}: {err:#}", dir.host_path.display()))?;
        }
        Ok(Self { ctx: wasi.build(), table: ResourceTable::new() })
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi.ctx, table: &mut self.wasi.table }
    }
}
