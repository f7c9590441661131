//! The build step: the renderer plugin (the built-in one, or the tenant's Plugin the
//! `plugins.weir.dev/renderer` annotation names) over the artifact with the Kustomization's
//! overlay fields, then per object decryption, post-build substitution and the ownership labels.

use std::collections::BTreeMap;
use std::path::Path;

use kube::ResourceExt;
use kube::api::Api;
use weir_api::kustomize::{Kustomization, SubstituteKind};
use weir_api::plugins::RENDERER_ANNOTATION;
use weir_apply::Object;
use weir_plugin_host::renderer::{BuildOptions, CommonMetadata, Image, LoadRestrictor, Patch, ResourceSelector};
use weir_plugin_host::types::KeyValue;

use super::decrypt::{decrypt, is_encrypted};
use super::substitute::{self, SubstituteError};
use super::{GROUP, Kustomizations, SUBSTITUTE, failed};
use crate::conditions::reason;
use crate::plugin;
use crate::reconciler::Failure;
use crate::secrets;

/// Renders `path` of `source_dir` through the renderer plugin with the Kustomization's
/// overlay fields, then decrypts (when `decrypt`), substitutes and labels.
pub async fn build(
    kustomization: &Kustomization,
    context: &Kustomizations,
    source_dir: &Path,
    path: &str,
    decrypt_secrets: bool,
) -> Result<Vec<Object>, Failure> {
    let namespace = kustomization.namespace().unwrap_or_default();
    let options = build_options(kustomization, path);
    let rendered = match kustomization.annotations().get(RENDERER_ANNOTATION) {
        None => match context.plugins.renderer.build(&namespace, source_dir, &options).await {
            Ok(Ok(rendered)) => rendered,
            Ok(Err(error)) => return Err(failed(reason::BUILD_FAILED, error.to_string())),
            Err(error) => return Err(failed(reason::BUILD_FAILED, format!("renderer plugin failed: {error}"))),
        },
        Some(name) => {
            let renderer = context.plugins.tenants.renderer(&namespace, name).map_err(|unavailable| {
                failed(plugin::reason::PLUGIN_NOT_READY, format!("{RENDERER_ANNOTATION}: {unavailable}"))
            })?;
            match renderer.build(&namespace, source_dir, &options).await {
                Ok(Ok(rendered)) => rendered,
                Ok(Err(error)) => return Err(failed(reason::BUILD_FAILED, format!("Plugin '{name}': {error}"))),
                // Only this object fails: the operator and its other objects carry on.
                Err(error) => return Err(failed(plugin::reason::PLUGIN_FAILED, format!("Plugin '{name}': {error}"))),
            }
        }
    };
    let variables = variables(kustomization, context).await?;
    let mut objects = Vec::new();
    for (index, document) in rendered.documents.iter().enumerate() {
        let invalid = |message: String| failed(reason::BUILD_FAILED, format!("document {}: {message}", index + 1));
        let mut parsed = weir_apply::parse_stream(document).map_err(|error| invalid(error.to_string()))?;
        let Some(mut object) = parsed.pop() else { continue };
        // Substitution works on YAML text, as Flux's does, so `replicas: ${n}` becomes a number.
        let mut text = std::borrow::Cow::Borrowed(document.as_str());
        if decrypt_secrets && is_encrypted(&object) {
            object = decrypt(kustomization, context, object).await?;
            text = weir_go_yaml::emit_document(&object.0).into();
        }
        if let Some(variables) = &variables
            && object.annotation(SUBSTITUTE) != Some("disabled")
            && object.label(SUBSTITUTE) != Some("disabled")
        {
            let substituted = substitute::substitute(&text, variables, context.settings.strict_substitution)
                .map_err(|error| failed(reason::BUILD_FAILED, format!("{}: {error}", object.id())))?;
            let mut reparsed = weir_apply::parse_stream(&substituted).map_err(|error| invalid(error.to_string()))?;
            object = reparsed.pop().ok_or_else(|| invalid("empty after substitution".into()))?;
        }
        object.set_labels([
            (format!("{GROUP}/name").as_str(), kustomization.name_any().as_str()),
            (format!("{GROUP}/namespace").as_str(), namespace.as_str()),
        ]);
        objects.push(object);
    }
    Ok(objects)
}

fn build_options(kustomization: &Kustomization, path: &str) -> BuildOptions {
    let spec = &kustomization.spec;
    let path = path.trim_start_matches("./").trim_matches('/');
    let key_values = |map: &Option<BTreeMap<String, String>>| -> Vec<KeyValue> {
        map.iter().flatten().map(|(key, value)| KeyValue { key: key.clone(), value: value.clone() }).collect()
    };
    BuildOptions {
        path: if path.is_empty() { ".".into() } else { path.to_owned() },
        // Flux loads files from anywhere in the artifact; the sandbox confines it to the artifact.
        load_restrictor: LoadRestrictor::None,
        reorder: None,
        generate_kustomization: true,
        target_namespace: spec.target_namespace.clone(),
        name_prefix: spec.name_prefix.clone(),
        name_suffix: spec.name_suffix.clone(),
        components: spec.components.clone().unwrap_or_default(),
        patches: plugin_patches(spec.patches.as_deref().unwrap_or_default()),
        images: plugin_images(spec.images.as_deref().unwrap_or_default()),
        common_metadata: spec.common_metadata.as_ref().map(|metadata| CommonMetadata {
            labels: key_values(&metadata.labels),
            annotations: key_values(&metadata.annotations),
        }),
    }
}

/// Flux's patches as the renderer plugin takes them (Kustomizations and HelmRelease
/// post-renderers share the shape).
pub(crate) fn plugin_patches(patches: &[weir_api::kustomize::Patch]) -> Vec<Patch> {
    patches
        .iter()
        .map(|patch| Patch {
            patch: patch.patch.clone(),
            target: patch.target.as_ref().map(|target| ResourceSelector {
                group: target.group.clone(),
                version: target.version.clone(),
                kind: target.kind.clone(),
                name: target.name.clone(),
                namespace: target.namespace.clone(),
                label_selector: target.label_selector.clone(),
                annotation_selector: target.annotation_selector.clone(),
            }),
        })
        .collect()
}

/// Flux's image overrides as the renderer plugin takes them.
pub(crate) fn plugin_images(images: &[weir_api::kustomize::Image]) -> Vec<Image> {
    images
        .iter()
        .map(|image| Image {
            name: image.name.clone(),
            new_name: image.new_name.clone(),
            new_tag: image.new_tag.clone(),
            digest: image.digest.clone(),
        })
        .collect()
}

/// The post-build variables, when `postBuild` is set: `substituteFrom` in order, then `substitute` over them.
async fn variables(
    kustomization: &Kustomization,
    context: &Kustomizations,
) -> Result<Option<BTreeMap<String, String>>, Failure> {
    let Some(post_build) = &kustomization.spec.post_build else {
        return Ok(None);
    };
    let namespace = kustomization.namespace().unwrap_or_default();
    let mut variables = BTreeMap::new();
    for reference in post_build.substitute_from.iter().flatten() {
        let optional = reference.optional == Some(true);
        let data = match reference.kind {
            SubstituteKind::ConfigMap => {
                let api = Api::<k8s_openapi::api::core::v1::ConfigMap>::namespaced(context.client.clone(), &namespace);
                api.get_opt(&reference.name).await.map(|found| found.map(|map| map.data.unwrap_or_default()))
            }
            SubstituteKind::Secret => match secrets::secret_data(&context.client, &namespace, &reference.name).await {
                Ok(data) => Ok(Some(
                    data.into_iter().map(|(key, value)| (key, String::from_utf8_lossy(&value).into_owned())).collect(),
                )),
                Err(kube::Error::Api(status)) if status.code == 404 => Ok(None),
                Err(error) => Err(error),
            },
        };
        let kind = if matches!(reference.kind, SubstituteKind::ConfigMap) { "ConfigMap" } else { "Secret" };
        match data {
            Ok(Some(data)) => variables.extend(data),
            Ok(None) if optional => {}
            Ok(None) => {
                return Err(failed(
                    reason::BUILD_FAILED,
                    format!("substitute from '{kind}/{}' failed: not found", reference.name),
                ));
            }
            Err(error) => {
                return Err(failed(
                    reason::BUILD_FAILED,
                    format!("substitute from '{kind}/{}' failed: {error}", reference.name),
                ));
            }
        }
    }
    variables.extend(post_build.substitute.clone().unwrap_or_default());
    substitute::validate_names(variables.keys())
        .map_err(|error: SubstituteError| failed(reason::BUILD_FAILED, error.to_string()))?;
    Ok(Some(variables))
}
