//! The built-in chart-renderer plugin: `weir-helm` behind the WIT world.
//! The chart is at `/chart`, read-only: a directory, or a packaged chart alone in it.

use std::path::Path;

use weir_helm as helm;
use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::chart_renderer::{
    CHART_MOUNT, ChartRequest, Hook, HookDeletePolicy, HookEvent, Manifest, PACKAGED_CHART, RenderedChart,
};
use weir_plugin_sdk::types::{Error, ErrorCode};

struct Helm;

impl Plugin for Helm {
    fn template(request: ChartRequest) -> Result<RenderedChart, Error> {
        let values = helm::user_values::from_transport_json(&request.values_json)
            .map_err(|message| Error::new(ErrorCode::InvalidInput, message).at("values-json"))?;
        let chart = load_chart().map_err(|err| Error::new(ErrorCode::InvalidInput, err.to_string()))?;
        let options = helm::RenderOptions {
            release: helm::Release {
                name: request.release.name,
                namespace: request.release.namespace,
                revision: request.release.revision,
                is_install: request.release.is_install,
                is_upgrade: request.release.is_upgrade,
                service: request.release.service,
            },
            kube_version: request.capabilities.kube_version,
            api_versions: request.capabilities.api_versions,
            include_crds: request.include_crds,
            skip_tests: request.skip_tests,
        };
        let rendered = helm::render(chart, values, &options).map_err(chart_error)?;
        Ok(RenderedChart {
            crds: rendered.crds.into_iter().map(manifest).collect(),
            manifests: rendered.manifests.into_iter().map(manifest).collect(),
            hooks: rendered.hooks.into_iter().map(hook).collect(),
            notes: rendered.notes,
            warnings: rendered.warnings,
        })
    }
}

/// The chart directory at the mount, or the packaged chart alone in it.
fn load_chart() -> Result<helm::chart::Chart, helm::error::ChartError> {
    let mount = Path::new(CHART_MOUNT);
    let archive = mount.join(PACKAGED_CHART);
    if !mount.join("Chart.yaml").exists() && archive.is_file() {
        let bytes = std::fs::read(&archive).map_err(|err| helm::error::ChartError::Io(err.to_string()))?;
        helm::loader::load_archive(&bytes)
    } else {
        helm::loader::load_dir(mount)
    }
}

fn manifest(manifest: helm::manifests::Manifest) -> Manifest {
    Manifest { source: manifest.name, content: manifest.content }
}

fn hook(hook: helm::manifests::Hook) -> Hook {
    Hook {
        events: hook.events.iter().filter_map(|event| hook_event(event)).collect(),
        // Helm weights are Go ints; the WIT carries s32, which any real weight fits.
        weight: hook.weight.clamp(i32::MIN.into(), i32::MAX.into()) as i32,
        delete_policies: hook.delete_policies.iter().filter_map(|policy| delete_policy(policy)).collect(),
        manifest: Manifest { source: hook.path, content: hook.manifest },
    }
}

/// Helm's hook names; the library has already skipped hooks with others.
fn hook_event(name: &str) -> Option<HookEvent> {
    Some(match name {
        "pre-install" => HookEvent::PreInstall,
        "post-install" => HookEvent::PostInstall,
        "pre-delete" => HookEvent::PreDelete,
        "post-delete" => HookEvent::PostDelete,
        "pre-upgrade" => HookEvent::PreUpgrade,
        "post-upgrade" => HookEvent::PostUpgrade,
        "pre-rollback" => HookEvent::PreRollback,
        "post-rollback" => HookEvent::PostRollback,
        "test" | "test-success" => HookEvent::Test,
        _ => return None,
    })
}

/// Helm keeps unknown delete policies as written and ignores them when
/// deleting; there is nothing to act on, so they are dropped here.
fn delete_policy(name: &str) -> Option<HookDeletePolicy> {
    Some(match name {
        "before-hook-creation" => HookDeletePolicy::BeforeHookCreation,
        "hook-succeeded" => HookDeletePolicy::HookSucceeded,
        "hook-failed" => HookDeletePolicy::HookFailed,
        _ => return None,
    })
}

fn chart_error(error: helm::HelmError) -> Error {
    let message = error.to_string();
    let code = match error {
        helm::HelmError::InvalidChart(_) | helm::HelmError::InvalidValues(_) | helm::HelmError::TemplateFailed(_) => {
            ErrorCode::InvalidInput
        }
        helm::HelmError::Incompatible(_) => ErrorCode::Incompatible,
    };
    Error::new(code, message)
}

weir_plugin_sdk::register_plugin!(Helm: chart_renderer);
