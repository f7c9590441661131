//! The `renderer` world: a source tree to manifests (kustomize build).

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use super::{BoundPlugin, WitVersion, World};
use crate::capability::{Grants, Preopen, Wasi};
use crate::error::{CallError, LoadError};
use crate::runtime::{Plugin, PluginRuntime};
use crate::wit::legacy_error;
use crate::wit::types::{Error, ErrorCode};

mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.0",
        world: "renderer",
        with: { "weir:plugin/types": crate::wit::types },
    });
}

mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.1.0",
        world: "renderer",
        with: { "weir:plugin/types": crate::wit::v0_1::weir::plugin::types },
    });
}

pub use v0_2::exports::weir::plugin::render::{
    BuildOptions, CommonMetadata, Image, LoadRestrictor, Patch, Rendered, Reorder, ResourceSelector,
};

impl BuildOptions {
    /// A build of `path` with kustomize's defaults: files under the root only, the
    /// kustomization's own order, a kustomization file required, no overlay.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            load_restrictor: LoadRestrictor::RootOnly,
            reorder: None,
            generate_kustomization: false,
            target_namespace: None,
            name_prefix: None,
            name_suffix: None,
            components: Vec::new(),
            patches: Vec::new(),
            images: Vec::new(),
            common_metadata: None,
        }
    }
}

/// Where the source tree appears inside the sandbox.
pub const SOURCE_MOUNT: &str = "/src";

const RENDERER: World = World {
    name: "renderer",
    interface: "render",
    since: "0.2.0",
    legacy_interface: Some("render"),
    capabilities: &[&Wasi],
};

/// A renderer plugin.
pub struct RendererPlugin(BoundPlugin);

impl RendererPlugin {
    pub fn new(runtime: Arc<PluginRuntime>, plugin: Plugin) -> Result<Self, LoadError> {
        BoundPlugin::bind(
            runtime,
            plugin,
            &RENDERER,
            |pre| v0_2::RendererPre::new(pre).map(drop),
            |pre| v0_1::RendererPre::new(pre).map(drop),
        )
        .map(Self)
    }

    /// Builds `options.path` of `source` (seen read-only at [`SOURCE_MOUNT`]) for `tenant`.
    pub async fn build(
        &self,
        tenant: &str,
        source: &Path,
        options: &BuildOptions,
    ) -> Result<Result<Rendered, Error>, CallError> {
        let grants = Grants {
            preopens: vec![Preopen { host_path: source.to_owned(), guest_path: SOURCE_MOUNT }],
            ..Grants::default()
        };
        match self.wit_version() {
            WitVersion::V0_2 => self.0.call(tenant, grants, "build", (options,)).await.map(|(result,)| result),
            WitVersion::V0_1 => {
                let (result,): (Result<v0_1::exports::weir::plugin::render::Rendered, LegacyError>,) =
                    self.0.call(tenant, grants, "build", (options,)).await?;
                Ok(result.map(upgrade_rendered).map_err(upgrade_error))
            }
        }
    }
}

impl Deref for RendererPlugin {
    type Target = BoundPlugin;

    fn deref(&self) -> &BoundPlugin {
        &self.0
    }
}

type LegacyError = v0_1::exports::weir::plugin::render::RenderError;

/// 0.1 returned one stream; 0.2 one document per entry.
fn upgrade_rendered(rendered: v0_1::exports::weir::plugin::render::Rendered) -> Rendered {
    Rendered { documents: split_stream(&rendered.yaml_stream), warnings: rendered.warnings }
}

/// The documents of a YAML stream as `kustomize build` prints it: separated
/// by `---` lines, each ending in a newline.
fn split_stream(stream: &str) -> Vec<String> {
    let mut documents = Vec::new();
    let mut current = String::new();
    for line in stream.split_inclusive('\n') {
        if line.trim_end() == "---" {
            documents.push(std::mem::take(&mut current));
        } else {
            current.push_str(line);
        }
    }
    documents.push(current);
    documents.retain(|document| !document.trim().is_empty());
    documents
}

fn upgrade_error(error: LegacyError) -> Error {
    let (code, detail) = match error {
        LegacyError::NotFound(detail) => (ErrorCode::NotFound, detail),
        LegacyError::InvalidInput(detail) => (ErrorCode::InvalidInput, detail),
        LegacyError::LoadRestricted(detail) => (ErrorCode::Denied, detail),
        LegacyError::Conflict(detail) => (ErrorCode::Conflict, detail),
        LegacyError::Unsupported(detail) => (ErrorCode::Unsupported, detail),
    };
    legacy_error(code, detail)
}

#[cfg(test)]
mod tests {
    use super::split_stream;

    #[test]
    fn a_stream_splits_into_its_documents() {
        assert_eq!(split_stream("a: 1\n---\nb: 2\n"), ["a: 1\n", "b: 2\n"]);
        assert_eq!(split_stream("---\na: 1\n--- \n"), ["a: 1\n"]);
        assert!(split_stream("").is_empty());
    }
}
