//! The built-in renderer plugin: `weir-kustomize` behind the WIT world.
//! The source tree is at `/src`; paths in errors are given relative to it.

use std::collections::BTreeMap;
use std::path::Path;

use weir_kustomize as kustomize;
use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::renderer::{BuildOptions, Image, LoadRestrictor, Patch, Rendered, Reorder, SOURCE_MOUNT};
use weir_plugin_sdk::types::{Error, ErrorCode, KeyValue};

struct Kustomize;

impl Plugin for Kustomize {
    fn build(options: BuildOptions) -> Result<Rendered, Error> {
        let root = Path::new(SOURCE_MOUNT).join(&options.path);
        let rendered = kustomize::render(&root, &build_options(options)).map_err(error)?;
        Ok(Rendered { documents: rendered.documents, warnings: rendered.warnings })
    }
}

fn build_options(options: BuildOptions) -> kustomize::BuildOptions {
    kustomize::BuildOptions {
        load_restrictor: match options.load_restrictor {
            LoadRestrictor::RootOnly => kustomize::LoadRestrictor::RootOnly,
            LoadRestrictor::None => kustomize::LoadRestrictor::None,
        },
        reorder: match options.reorder {
            None => kustomize::Reorder::Unspecified,
            Some(Reorder::Legacy) => kustomize::Reorder::Legacy,
            Some(Reorder::None) => kustomize::Reorder::None,
        },
        generate_kustomization: options.generate_kustomization,
        target_namespace: options.target_namespace,
        name_prefix: options.name_prefix,
        name_suffix: options.name_suffix,
        components: options.components,
        patches: options.patches.into_iter().map(patch).collect(),
        images: options.images.into_iter().map(image).collect(),
        common_metadata: options.common_metadata.map(|metadata| kustomize::CommonMetadata {
            labels: pairs(metadata.labels),
            annotations: pairs(metadata.annotations),
        }),
    }
}

fn patch(patch: Patch) -> kustomize::Patch {
    kustomize::Patch {
        patch: patch.patch,
        target: patch.target.map(|target| kustomize::PatchTarget {
            group: target.group.unwrap_or_default(),
            version: target.version.unwrap_or_default(),
            kind: target.kind.unwrap_or_default(),
            name: target.name.unwrap_or_default(),
            namespace: target.namespace.unwrap_or_default(),
            label_selector: target.label_selector.unwrap_or_default(),
            annotation_selector: target.annotation_selector.unwrap_or_default(),
        }),
    }
}

fn image(image: Image) -> kustomize::Image {
    kustomize::Image {
        name: image.name,
        new_name: image.new_name.unwrap_or_default(),
        new_tag: image.new_tag.unwrap_or_default(),
        digest: image.digest.unwrap_or_default(),
    }
}

fn pairs(pairs: Vec<KeyValue>) -> BTreeMap<String, String> {
    pairs.into_iter().map(|pair| (pair.key, pair.value)).collect()
}

/// A path as the user knows it: relative to the source tree.
fn relative(path: &Path) -> String {
    path.strip_prefix(SOURCE_MOUNT).unwrap_or(path).display().to_string()
}

fn error(error: kustomize::KustomizeError) -> Error {
    let message = error.to_string().replace(&format!("{SOURCE_MOUNT}/"), "").replace(SOURCE_MOUNT, ".");
    let (code, file, field) = match &error {
        kustomize::KustomizeError::NotFound { path, .. } => (ErrorCode::NotFound, path, ""),
        kustomize::KustomizeError::InvalidInput { file, field, .. } => (ErrorCode::InvalidInput, file, field.as_str()),
        kustomize::KustomizeError::LoadRestricted { file, .. } => (ErrorCode::Denied, file, ""),
        kustomize::KustomizeError::Conflict { file, .. } => (ErrorCode::Conflict, file, ""),
        kustomize::KustomizeError::Unsupported { file, field, .. } => (ErrorCode::Unsupported, file, field.as_str()),
    };
    let error = Error::new(code, message).at(relative(file));
    if field.is_empty() { error } else { error.with_detail("field", field) }
}

weir_plugin_sdk::register_plugin!(Kustomize: renderer);
