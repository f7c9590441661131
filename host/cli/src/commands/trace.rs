//! `weir trace KIND/NAME` (or `KIND NAME`): which Kustomization or HelmRelease manages an object
//! and from which source, with their revisions and last outcomes, laid out as `flux trace`
//! lays it out. An object is managed when it carries its manager's `…/name` and
//! `…/namespace` labels, as Flux finds it.

use anyhow::{Context, bail};
use kube::api::{Api, DynamicObject};
use kube::discovery::{Discovery, Scope};
use kube::{Client, ResourceExt};
use serde_json::Value;

use crate::cluster::ClusterOptions;

#[derive(clap::Args)]
pub struct TraceArgs {
    /// `KIND/NAME`, or `KIND NAME` (a kind, its plural, singular or short name).
    #[arg(required = true, num_args = 1..=2, value_name = "OBJECT")]
    object: Vec<String>,
}

const KUSTOMIZE_GROUP: &str = "kustomize.toolkit.fluxcd.io";
const HELM_GROUP: &str = "helm.toolkit.fluxcd.io";

/// One block of the report: aligned `Label: value` lines.
struct Section {
    width: usize,
    lines: Vec<(String, String)>,
}

impl Section {
    fn new(width: usize) -> Self {
        Self { width, lines: Vec::new() }
    }

    fn line(&mut self, label: &str, value: impl Into<String>) -> &mut Self {
        self.lines.push((format!("{label}:"), value.into()));
        self
    }

    fn text(&self) -> String {
        self.lines.iter().map(|(label, value)| format!("{label:<width$}{value}\n", width = self.width)).collect()
    }
}

impl TraceArgs {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let (kind, name) = match self.object.as_slice() {
            [one] => one
                .split_once('/')
                .context("either `<resource>/<name>` or `<resource> <name>` is required as an argument")?,
            [kind, name] => (kind.as_str(), name.as_str()),
            _ => bail!("either `<resource>/<name>` or `<resource> <name>` is required as an argument"),
        };
        let client = cluster.client().await?;
        let namespace = cluster.namespace();
        let object = find(&client, kind, name, namespace).await?;
        let labels = object.labels();
        let manager = |group: &str| {
            Some((labels.get(&format!("{group}/name"))?.clone(), labels.get(&format!("{group}/namespace"))?.clone()))
        };
        let report = if let Some((name, namespace)) = manager(KUSTOMIZE_GROUP) {
            kustomization_report(&client, &object, &name, &namespace).await?
        } else if let Some((name, namespace)) = manager(HELM_GROUP) {
            helm_report(&client, &object, &name, &namespace).await?
        } else {
            bail!("object not managed by Flux");
        };
        print!("{report}");
        Ok(())
    }
}

/// The object `kind` (as kubectl accepts kinds) named `name`.
async fn find(client: &Client, kind: &str, name: &str, namespace: &str) -> anyhow::Result<DynamicObject> {
    let discovery = Discovery::new(client.clone()).run().await.context("discovering the API server's kinds")?;
    // `deployment`, `deployments`, `Deployment`, or qualified: `deployments.apps`.
    let lowered = kind.to_ascii_lowercase();
    let (wanted_kind, wanted_group) =
        lowered.split_once('.').map_or((lowered.as_str(), None), |(kind, group)| (kind, Some(group)));
    let found = discovery.groups().flat_map(|group| group.recommended_resources()).find(|(resource, _)| {
        let names = [resource.kind.to_ascii_lowercase(), resource.plural.clone()];
        names.iter().any(|known| known == wanted_kind)
            && wanted_group.is_none_or(|group| resource.group.starts_with(group))
    });
    let Some((resource, capabilities)) = found else { bail!("the server doesn't have a resource type \"{kind}\"") };
    let api = match capabilities.scope {
        Scope::Namespaced => Api::<DynamicObject>::namespaced_with(client.clone(), namespace, &resource),
        Scope::Cluster => Api::<DynamicObject>::all_with(client.clone(), &resource),
    };
    api.get(name)
        .await
        .map_err(|error| anyhow::anyhow!("failed to find object: {}", crate::commands::flux::api_error(error)))
}

/// The managing Kustomization's or HelmRelease's first lines: what, where, into which namespace.
fn manager_section(width: usize, kind: &str, name: &str, namespace: &str, manager: &Value) -> Section {
    let mut section = Section::new(width);
    section.line(kind, name).line("Namespace", namespace);
    if let Some(target) = manager["spec"]["targetNamespace"].as_str() {
        section.line("Target", target);
    }
    section
}

/// `Revision:` of a source's artifact, when it has one.
fn artifact_revision(section: &mut Section, source: &Value) {
    if let Some(revision) = source["status"]["artifact"]["revision"].as_str() {
        section.line("Revision", revision);
    }
}

fn object_section(object: &DynamicObject, width: usize) -> Section {
    let mut section = Section::new(width);
    let kind = object.types.as_ref().map(|types| types.kind.clone()).unwrap_or_default();
    section.line("Object", format!("{kind}/{}", object.name_any()));
    if let Some(namespace) = object.namespace() {
        section.line("Namespace", namespace);
    }
    section.line("Status", "Managed by Flux");
    section
}

/// The GitOps object `kind` `namespace/name` as JSON, or why not.
async fn get(client: &Client, kind: &str, namespace: &str, name: &str) -> anyhow::Result<Value> {
    let known = crate::kinds::gitops_kind(kind).with_context(|| format!("{kind} is not a GitOps kind"))?;
    let object = Api::<DynamicObject>::namespaced_with(client.clone(), namespace, &known.resource())
        .get(name)
        .await
        .map_err(|error| anyhow::anyhow!("failed to find {kind}: {}", crate::commands::flux::api_error(error)))?;
    Ok(serde_json::to_value(object)?)
}

/// `Status:` and `Message:` from the Ready condition, as flux words them.
fn readiness(section: &mut Section, object: &Value, failures_shown: bool) {
    let ready = object["status"]["conditions"]
        .as_array()
        .and_then(|conditions| conditions.iter().find(|c| c["type"] == "Ready"));
    let Some(ready) = ready else {
        section.line("Status", "Unknown");
        return;
    };
    let at = go_time(ready["lastTransitionTime"].as_str().unwrap_or_default());
    let failed = failures_shown && ready["status"] == "False";
    section.line(
        "Status",
        if failed { format!("Last reconciliation failed at {at}") } else { format!("Last reconciled at {at}") },
    );
    section.line("Message", ready["message"].as_str().unwrap_or_default());
}

/// An RFC 3339 time as Go's `time.Time.String()` prints it: `2026-12-08 01:03:54 +0000 UTC`.
fn go_time(rfc3339: &str) -> String {
    match rfc3339.parse::<k8s_openapi::jiff::Timestamp>() {
        Ok(time) => time.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string(),
        Err(_) => rfc3339.to_owned(),
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

async fn kustomization_report(
    client: &Client,
    object: &DynamicObject,
    name: &str,
    namespace: &str,
) -> anyhow::Result<String> {
    const WIDTH: usize = 17;
    let ks = get(client, "Kustomization", namespace, name).await?;
    let mut sections = vec![object_section(object, WIDTH)];
    let mut section = manager_section(WIDTH, "Kustomization", name, namespace, &ks);
    section.line("Path", text(&ks["spec"]["path"])).line("Revision", text(&ks["status"]["lastAppliedRevision"]));
    readiness(&mut section, &ks, false);
    sections.push(section);

    let reference = &ks["spec"]["sourceRef"];
    let source_namespace = reference["namespace"].as_str().unwrap_or(namespace);
    let source_name = text(&reference["name"]);
    let mut section = Section::new(WIDTH);
    match reference["kind"].as_str().unwrap_or_default() {
        "GitRepository" => {
            let source = get(client, "GitRepository", source_namespace, &source_name).await?;
            git_lines(&mut section, &source, &source_name, source_namespace);
            readiness(&mut section, &source, true);
        }
        "OCIRepository" => {
            let source = get(client, "OCIRepository", source_namespace, &source_name).await?;
            section
                .line("OCIRepository", &source_name)
                .line("Namespace", source_namespace)
                .line("URL", text(&source["spec"]["url"]));
            let reference = &source["spec"]["ref"];
            if let Some(tag) = reference["tag"].as_str().or(reference["semver"].as_str()) {
                section.line("Tag", tag);
            } else if let Some(digest) = reference["digest"].as_str() {
                section.line("Digest", digest);
            }
            let artifact = &source["status"]["artifact"];
            if artifact.is_object() {
                section.line("Revision", text(&artifact["revision"]));
                let metadata = &artifact["metadata"];
                for (label, key) in [
                    ("Origin Source", "org.opencontainers.image.source"),
                    ("Origin Revision", "org.opencontainers.image.revision"),
                ] {
                    if let Some(value) = metadata[key].as_str() {
                        section.line(label, value);
                    }
                }
            }
            readiness(&mut section, &source, true);
        }
        "Bucket" => {
            let source = get(client, "Bucket", source_namespace, &source_name).await?;
            section.line("Bucket", &source_name).line("Namespace", source_namespace);
            section
                .line("Endpoint", text(&source["spec"]["endpoint"]))
                .line("Bucket name", text(&source["spec"]["bucketName"]));
            artifact_revision(&mut section, &source);
            readiness(&mut section, &source, true);
        }
        _ => {}
    }
    if !section.lines.is_empty() {
        sections.push(section);
    }
    Ok(report(&sections))
}

fn git_lines(section: &mut Section, source: &Value, name: &str, namespace: &str) {
    section.line("GitRepository", name).line("Namespace", namespace).line("URL", text(&source["spec"]["url"]));
    let reference = &source["spec"]["ref"];
    if let Some(tag) = reference["tag"].as_str().or(reference["semver"].as_str()) {
        section.line("Tag", tag);
    } else if let Some(branch) = reference["branch"].as_str() {
        section.line("Branch", branch);
    }
    artifact_revision(section, source);
}

async fn helm_report(client: &Client, object: &DynamicObject, name: &str, namespace: &str) -> anyhow::Result<String> {
    const WIDTH: usize = 16;
    let release = get(client, "HelmRelease", namespace, name).await?;
    let mut sections = vec![object_section(object, WIDTH)];
    let mut section = manager_section(WIDTH, "HelmRelease", name, namespace, &release);
    section.line("Revision", text(&release["status"]["lastAttemptedRevision"]));
    readiness(&mut section, &release, false);
    sections.push(section);

    // The HelmChart the release's chart template made, then the chart's source.
    let chart_template = &release["spec"]["chart"]["spec"];
    let recorded = release["status"]["helmChart"].as_str().and_then(|chart| chart.split_once('/'));
    if let (true, Some((chart_namespace, chart_name))) = (chart_template.is_object(), recorded) {
        let (chart_namespace, chart_name) = (chart_namespace.to_owned(), chart_name.to_owned());
        let chart_namespace = chart_namespace.as_str();
        let chart = get(client, "HelmChart", chart_namespace, &chart_name).await?;
        let mut section = Section::new(WIDTH);
        section.line("HelmChart", &chart_name).line("Namespace", chart_namespace);
        section.line("Chart", text(&chart["spec"]["chart"])).line("Version", text(&chart["spec"]["version"]));
        artifact_revision(&mut section, &chart);
        readiness(&mut section, &chart, false);
        sections.push(section);

        let reference = &chart_template["sourceRef"];
        let source_name = text(&reference["name"]);
        match reference["kind"].as_str().unwrap_or_default() {
            "HelmRepository" => {
                let source = get(client, "HelmRepository", chart_namespace, &source_name).await?;
                let mut section = Section::new(WIDTH);
                section
                    .line("HelmRepository", &source_name)
                    .line("Namespace", chart_namespace)
                    .line("URL", text(&source["spec"]["url"]));
                artifact_revision(&mut section, &source);
                readiness(&mut section, &source, false);
                sections.push(section);
            }
            "GitRepository" => {
                let source = get(client, "GitRepository", chart_namespace, &source_name).await?;
                // flux aligns this block one column narrower.
                let mut section = Section::new(WIDTH - 1);
                git_lines(&mut section, &source, &source_name, chart_namespace);
                readiness(&mut section, &source, true);
                sections.push(section);
            }
            _ => {}
        }
    }
    Ok(report(&sections))
}

/// The sections, `---` between them, after an empty line as flux starts its report.
fn report(sections: &[Section]) -> String {
    let body: Vec<String> = sections.iter().map(Section::text).collect();
    format!("\n{}", body.join("---\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_align_as_flux_aligns_them() {
        let mut object = Section::new(17);
        object.line("Object", "ConfigMap/settings").line("Namespace", "default");
        let mut kustomization = Section::new(17);
        kustomization.line("Kustomization", "apps");
        assert_eq!(
            report(&[object, kustomization]),
            "\nObject:          ConfigMap/settings\nNamespace:       default\n---\nKustomization:   apps\n"
        );
        assert_eq!(go_time("2026-12-08T01:03:54Z"), "2026-12-08 01:03:54 +0000 UTC");
    }
}
