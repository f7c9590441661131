//! `weir install`: the installation of `deploy/` (with the CRDs of `crds/`) built by the
//! kustomize plugin for the chosen namespace, image and options, as `flux install` builds its
//! embedded manifests; printed with `--export`, else applied and waited for.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use weir_apply::{ApplyOptions, ObjectId, Owner, ResourceManager};
use weir_plugin_host::renderer::{BuildOptions, RendererPlugin};

use crate::cluster::ClusterOptions;
use crate::plugins::PluginOptions;

/// `deploy/` as this binary was built with it.
const DEPLOY: &[(&str, &str)] = &[
    ("deploy/base/kustomization.yaml", include_str!("../../../../deploy/base/kustomization.yaml")),
    ("deploy/base/namespace.yaml", include_str!("../../../../deploy/base/namespace.yaml")),
    ("deploy/base/account.yaml", include_str!("../../../../deploy/base/account.yaml")),
    ("deploy/base/rbac.yaml", include_str!("../../../../deploy/base/rbac.yaml")),
    ("deploy/base/deployment.yaml", include_str!("../../../../deploy/base/deployment.yaml")),
    ("deploy/base/service.yaml", include_str!("../../../../deploy/base/service.yaml")),
    ("deploy/base/policies.yaml", include_str!("../../../../deploy/base/policies.yaml")),
    (
        "deploy/components/least-privilege/kustomization.yaml",
        include_str!("../../../../deploy/components/least-privilege/kustomization.yaml"),
    ),
    (
        "deploy/components/least-privilege/impersonation.yaml",
        include_str!("../../../../deploy/components/least-privilege/impersonation.yaml"),
    ),
];

/// The image the base names, which `--registry` and `--version` replace.
const BASE_IMAGE: &str = "ghcr.io/weir-gitops/weir";
const FIELD_MANAGER: &str = "weir";

#[derive(clap::Args)]
// `--version` is the image tag to install, as in `flux install`.
#[command(disable_version_flag = true)]
pub struct InstallArgs {
    /// Print the manifests instead of applying them.
    #[arg(long)]
    export: bool,
    /// The registry holding weir's image (`REGISTRY/weir:VERSION`).
    #[arg(long, value_name = "HOST/PATH", default_value = "ghcr.io/weir-gitops")]
    registry: String,
    /// The image tag to run.
    #[arg(short = 'v', long, value_name = "TAG", default_value = concat!("v", env!("CARGO_PKG_VERSION")))]
    version: String,
    /// The operator's log level.
    #[arg(long, value_name = "LEVEL", default_value = "info", value_parser = ["trace", "debug", "info", "warn", "error"])]
    log_level: String,
    /// Install Flux's network policies for the namespace.
    #[arg(long, num_args = 0..=1, default_value_t = true, default_missing_value = "true", action = clap::ArgAction::Set, value_name = "BOOL")]
    network_policy: bool,
    /// No cluster-admin: every Kustomization and HelmRelease applies as a service account of its
    /// namespace (`default` unless it names one), never across namespaces.
    #[arg(long)]
    least_privilege: bool,
    /// A Secret in the namespace for pulling the image from a private registry.
    #[arg(long, value_name = "NAME")]
    image_pull_secret: Option<String>,
    /// How long to wait for the operator to become ready.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    timeout: String,
}

impl InstallArgs {
    pub async fn run(self, cluster: &ClusterOptions, plugins: &PluginOptions) -> anyhow::Result<()> {
        let namespace = cluster.namespace_or(weir_operator::DEFAULT_NAMESPACE);
        if !self.export {
            eprintln!("✚ generating manifests");
        }
        let manifests = self.manifests(namespace, plugins).await?;
        if self.export {
            let mut stdout = std::io::stdout().lock();
            return stdout
                .write_all(manifests.join("---\n").as_bytes())
                .and_then(|()| stdout.flush())
                .context("writing stdout");
        }
        eprintln!("✔ manifests build completed");
        let timeout = weir_go_compat::time::parse_duration(&self.timeout)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("--timeout {:?}", self.timeout))?;
        let objects = weir_apply::parse_stream(&manifests.join("---\n")).context("reading the built manifests")?;
        eprintln!("► installing components in {namespace} namespace");
        let manager = ResourceManager::new(cluster.client().await?, owner(namespace));
        let options = ApplyOptions { definitions_timeout: timeout, ..ApplyOptions::default() };
        let changes = manager.apply_all(objects.clone(), &options).await?;
        for change in &changes.changes {
            eprintln!("{} {}", change.id, change.action);
        }
        eprintln!("◎ verifying installation");
        let deployments: Vec<(ObjectId, String)> = objects
            .iter()
            .filter(|object| object.kind() == "Deployment")
            .map(|object| (object.id(), object.gvk().version))
            .collect();
        manager.wait_ready(&deployments, timeout).await.context("the operator did not become ready")?;
        for (id, _) in &deployments {
            eprintln!("✔ {}: deployment ready", id.name);
        }
        eprintln!("✔ install finished");
        Ok(())
    }

    /// The install manifests, one YAML document each, built by the kustomize plugin.
    pub async fn manifests(&self, namespace: &str, plugins: &PluginOptions) -> anyhow::Result<Vec<String>> {
        self.validate(namespace)?;
        let tree = tempfile::tempdir().context("creating a directory to build in")?;
        write_tree(tree.path(), &self.overlay(namespace))?;
        let (runtime, plugin) = plugins.load("kustomize")?;
        let renderer = RendererPlugin::new(runtime, plugin)?;
        match renderer.build("default", tree.path(), &BuildOptions::new("install")).await? {
            Ok(rendered) => Ok(rendered.documents),
            Err(error) => bail!("building the install manifests: {}", error.message),
        }
    }

    /// The options go into the overlay's YAML: each must be what it claims to be.
    fn validate(&self, namespace: &str) -> anyhow::Result<()> {
        use crate::commands::flux::check_name;
        check_name(namespace).context("--namespace")?;
        if let Some(secret) = &self.image_pull_secret {
            check_name(secret).context("--image-pull-secret")?;
        }
        let tag = regex::Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$").expect("a valid pattern");
        if !tag.is_match(&self.version) {
            bail!("--version {:?} is not an image tag", self.version);
        }
        let repository = regex::Regex::new(r"^[a-z0-9]([a-z0-9._:/-]*[a-z0-9/])?$").expect("a valid pattern");
        if !repository.is_match(&self.registry) {
            bail!("--registry {:?} is not a registry host and path", self.registry);
        }
        Ok(())
    }

    /// deploy/ and crds/ with an overlay `install/` applying the options.
    fn overlay(&self, namespace: &str) -> Vec<(String, String)> {
        let mut patches = vec![
            // kustomize moves only subjects named `default` to the new namespace.
            format!(
                "  - target:\n      kind: ClusterRoleBinding\n    patch: |\n      - op: replace\n        path: /subjects/0/namespace\n        value: {namespace}\n"
            ),
            format!(
                "  - target:\n      kind: Deployment\n      name: weir-controller\n    patch: |\n      - op: replace\n        path: /spec/template/spec/containers/0/args/1\n        value: --log-level={}\n",
                self.log_level
            ),
        ];
        if let Some(secret) = &self.image_pull_secret {
            patches.push(format!(
                "  - target:\n      kind: Deployment\n      name: weir-controller\n    patch: |\n      - op: add\n        path: /spec/template/spec/imagePullSecrets\n        value: [{{name: {secret}}}]\n"
            ));
        }
        if !self.network_policy {
            for policy in ["allow-egress", "allow-scraping"] {
                patches.push(format!(
                    "  - patch: |\n      $patch: delete\n      apiVersion: networking.k8s.io/v1\n      kind: NetworkPolicy\n      metadata:\n        name: {policy}\n"
                ));
            }
        }
        let components =
            if self.least_privilege { "components:\n  - ../deploy/components/least-privilege\n" } else { "" };
        let kustomization = format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: {namespace}\nresources:\n  - ../deploy/base\n{components}labels:\n  - includeTemplates: true\n    pairs:\n      app.kubernetes.io/instance: {namespace}\n      app.kubernetes.io/version: \"{version}\"\nimages:\n  - name: {BASE_IMAGE}\n    newName: {registry}/weir\n    newTag: \"{version}\"\npatches:\n{patches}",
            version = self.version,
            registry = self.registry.trim_end_matches('/'),
            patches = patches.concat(),
        );
        let mut files: Vec<(String, String)> =
            DEPLOY.iter().map(|(path, text)| ((*path).to_owned(), (*text).to_owned())).collect();
        files.extend(weir_api::crd_files().into_iter().map(|(file, text)| (format!("crds/{file}"), text)));
        files.push(("install/kustomization.yaml".to_owned(), kustomization));
        files
    }
}

/// Who applies the installation.
fn owner(namespace: &str) -> Owner {
    Owner {
        field_manager: FIELD_MANAGER.into(),
        group: "weir.dev".into(),
        name: "weir".into(),
        namespace: namespace.into(),
    }
}

fn write_tree(root: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    for (path, text) in files {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_deploy_is_embedded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut on_disk = Vec::new();
        for dir in ["deploy/base", "deploy/components/least-privilege"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                on_disk.push(format!("{dir}/{}", entry.unwrap().file_name().to_string_lossy()));
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = DEPLOY.iter().map(|(path, _)| (*path).to_owned()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }
}
