//! The `post-renderer` world (`weir:plugin@0.2.1`): changes a Helm release's rendered
//! manifests, as Helm's `--post-renderer` binaries do, but sandboxed: no filesystem, no
//! network, only the request.

use std::ops::Deref;
use std::sync::Arc;

use super::{BoundPlugin, World};
use crate::capability::{Grants, Wasi};
use crate::error::{CallError, LoadError};
use crate::runtime::{Plugin, PluginRuntime};
use crate::wit::types::Error;

mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.1",
        world: "post-renderer",
        with: { "weir:plugin/types": crate::wit::types },
    });
}

pub use v0_2::exports::weir::plugin::post_render::{Manifest, PostRenderRequest};

const POST_RENDERER: World = World {
    name: "post-renderer",
    interface: "post-render",
    since: "0.2.1",
    legacy_interface: None,
    capabilities: &[&Wasi],
};

/// A post-renderer plugin.
pub struct PostRendererPlugin(BoundPlugin);

impl PostRendererPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        // 0.1 has no post-renderer world, so there is no legacy binding to check.
        let no_legacy = |_| Ok(());
        BoundPlugin::bind(runtime, plugin, &POST_RENDERER, |pre| v0_2::PostRendererPre::new(pre).map(drop), no_legacy)
            .map(Self)
    }

    /// The documents `request`'s are to be replaced by, for a release of `tenant`.
    pub async fn post_render(
        &self,
        tenant: &str,
        request: &PostRenderRequest,
    ) -> Result<Result<Vec<Manifest>, Error>, CallError> {
        self.0.call(tenant, Grants::default(), "post-render", (request,)).await.map(|(result,)| result)
    }
}

impl Deref for PostRendererPlugin {
    type Target = BoundPlugin;

    fn deref(&self) -> &BoundPlugin {
        &self.0
    }
}
