//! Flux's CLI verbs on weir's API: `create` (or `--export`), `get`,
//! `suspend`, `resume`, for GitRepositories and Kustomizations.

use anyhow::{Context, bail};
use kube::ResourceExt;
use kube::api::{Api, ListParams, ObjectMeta, Patch, PatchParams};
use serde_json::json;
use weir_api::kustomize::{CrossNamespaceSourceReference, Kustomization, KustomizationSpec, SourceKind};
use weir_api::meta::NamespacedObjectReference;
use weir_api::source::{GitRepository, GitRepositoryRef, GitRepositorySpec};
use weir_api::status::{FluxObject, Readiness, readiness};

use crate::cluster::ClusterOptions;

/// The field manager of weir's CLI writes.
const FIELD_MANAGER: &str = "weir";

#[derive(clap::Subcommand)]
pub enum CreateCommand {
    /// Create or update a source.
    #[command(subcommand)]
    Source(CreateSource),
    /// Create or update a Kustomization.
    Kustomization(CreateKustomization),
}

#[derive(clap::Subcommand)]
pub enum CreateSource {
    /// A GitRepository.
    Git(CreateGit),
}

#[derive(clap::Args)]
pub struct CreateGit {
    name: String,
    /// The repository URL.
    #[arg(long)]
    url: String,
    #[arg(long)]
    branch: Option<String>,
    #[arg(long)]
    tag: Option<String>,
    /// A semver range: the highest matching tag.
    #[arg(long = "tag-semver")]
    semver: Option<String>,
    #[arg(long)]
    commit: Option<String>,
    /// How often to check for new revisions.
    #[arg(long, default_value = "1m")]
    interval: String,
    /// A Secret with the credentials.
    #[arg(long)]
    secret_ref: Option<String>,
    /// Print the object as YAML instead of applying it.
    #[arg(long)]
    export: bool,
}

#[derive(clap::Args)]
pub struct CreateKustomization {
    name: String,
    /// The source: `[Kind/]NAME[.NAMESPACE]` (kind GitRepository by default).
    #[arg(long)]
    source: String,
    /// The directory in the source to build.
    #[arg(long, default_value = "./")]
    path: String,
    /// Delete objects that left the source.
    #[arg(long)]
    prune: bool,
    #[arg(long, default_value = "1m")]
    interval: String,
    #[arg(long)]
    target_namespace: Option<String>,
    /// Kustomizations to wait for: `NAME[.NAMESPACE]`, repeatable.
    #[arg(long)]
    depends_on: Vec<String>,
    /// Apply as this ServiceAccount.
    #[arg(long)]
    service_account: Option<String>,
    /// Wait for every applied object to be ready.
    #[arg(long)]
    wait: bool,
    /// Print the object as YAML instead of applying it.
    #[arg(long)]
    export: bool,
}

#[derive(clap::Subcommand)]
pub enum GetCommand {
    /// Sources.
    #[command(subcommand)]
    Sources(GetSources),
    /// Kustomizations.
    #[command(alias = "ks")]
    Kustomizations(GetArgs),
}

#[derive(clap::Subcommand)]
pub enum GetSources {
    /// GitRepositories.
    Git(GetArgs),
}

#[derive(clap::Args)]
pub struct GetArgs {
    /// In every namespace.
    #[arg(short = 'A', long)]
    all_namespaces: bool,
}

#[derive(clap::Subcommand)]
pub enum SuspendTarget {
    /// A Kustomization.
    Kustomization { name: String },
    /// A source.
    #[command(subcommand)]
    Source(SuspendSource),
}

#[derive(clap::Subcommand)]
pub enum SuspendSource {
    /// A GitRepository.
    Git { name: String },
}

/// `1m` as Go prints durations: `1m0s`.
fn go_duration(text: &str) -> anyhow::Result<String> {
    let parsed = weir_go_compat::time::parse_duration(text)
        .map_err(|_| anyhow::anyhow!("{text:?} is not a duration (e.g. 30s, 5m, 1h30m)"))?;
    Ok(weir_go_compat::time::format_duration(parsed))
}

/// `NAME.NAMESPACE` → (name, namespace).
fn name_and_namespace(text: &str) -> (String, Option<String>) {
    match text.split_once('.') {
        Some((name, namespace)) => (name.to_owned(), Some(namespace.to_owned())),
        None => (text.to_owned(), None),
    }
}

fn export(object: &impl serde::Serialize) -> anyhow::Result<()> {
    let value = serde_json::to_value(object)?;
    print!("---\n{}", weir_go_yaml::emit_document(&value));
    Ok(())
}

async fn apply<K>(api: &Api<K>, name: &str, object: &K) -> anyhow::Result<()>
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
{
    api.patch(name, &PatchParams::apply(FIELD_MANAGER).force(), &Patch::Apply(object))
        .await
        .with_context(|| format!("applying {name}"))?;
    Ok(())
}

impl CreateCommand {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let metadata = |name: &str| ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(cluster.namespace.clone()),
            ..ObjectMeta::default()
        };
        match self {
            CreateCommand::Source(CreateSource::Git(git)) => {
                let reference = GitRepositoryRef {
                    branch: git.branch,
                    tag: git.tag,
                    semver: git.semver,
                    name: None,
                    commit: git.commit,
                };
                let spec = GitRepositorySpec {
                    url: git.url,
                    interval: go_duration(&git.interval)?,
                    reference: (reference != GitRepositoryRef::default()).then_some(reference),
                    secret_ref: git.secret_ref.map(|name| weir_api::meta::LocalObjectReference { name }),
                    timeout: None,
                    ..GitRepositorySpec::default()
                };
                let repository = GitRepository { metadata: metadata(&git.name), spec, status: None };
                if git.export {
                    return export(&repository);
                }
                apply(&Api::namespaced(cluster.client().await?, &cluster.namespace), &git.name, &repository).await?;
                eprintln!("✔ GitRepository {}/{} applied", cluster.namespace, git.name);
                Ok(())
            }
            CreateCommand::Kustomization(ks) => {
                let (kind, source) = match ks.source.split_once('/') {
                    Some((kind, source)) => (kind, source),
                    None => ("GitRepository", ks.source.as_str()),
                };
                let kind = match kind {
                    "GitRepository" => SourceKind::GitRepository,
                    "OCIRepository" => SourceKind::OCIRepository,
                    "Bucket" => SourceKind::Bucket,
                    other => bail!("--source kind {other:?} is not one of GitRepository, OCIRepository, Bucket"),
                };
                let (source_name, source_namespace) = name_and_namespace(source);
                let depends_on: Vec<NamespacedObjectReference> = ks
                    .depends_on
                    .iter()
                    .map(|dependency| {
                        let (name, namespace) = name_and_namespace(dependency);
                        NamespacedObjectReference { name, namespace }
                    })
                    .collect();
                let spec = KustomizationSpec {
                    interval: go_duration(&ks.interval)?,
                    path: Some(ks.path),
                    prune: ks.prune,
                    source_ref: CrossNamespaceSourceReference {
                        api_version: None,
                        kind,
                        name: source_name,
                        namespace: source_namespace,
                    },
                    target_namespace: ks.target_namespace,
                    depends_on: (!depends_on.is_empty()).then_some(depends_on),
                    service_account_name: ks.service_account,
                    wait: ks.wait.then_some(true),
                    ..KustomizationSpec::default()
                };
                let kustomization = Kustomization { metadata: metadata(&ks.name), spec, status: None };
                if ks.export {
                    return export(&kustomization);
                }
                apply(&Api::namespaced(cluster.client().await?, &cluster.namespace), &ks.name, &kustomization).await?;
                eprintln!("✔ Kustomization {}/{} applied", cluster.namespace, ks.name);
                Ok(())
            }
        }
    }
}

/// One row of `weir get`: what flux prints, READY and MESSAGE read as kstatus reads the
/// conditions (in progress is `Unknown`).
struct Row {
    namespace: String,
    name: String,
    revision: String,
    suspended: bool,
    readiness: Readiness,
}

fn print_rows(rows: Vec<Row>, all_namespaces: bool) {
    let mut table =
        vec![["NAMESPACE", "NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"].map(str::to_owned).to_vec()];
    for row in rows {
        let (ready, message) = match row.readiness {
            Readiness::Ready(message) => ("True", message),
            Readiness::Failed { message, .. } | Readiness::Stalled { message, .. } => ("False", message),
            Readiness::InProgress(message) => ("Unknown", message),
        };
        table.push(vec![row.namespace, row.name, row.revision, row.suspended.to_string(), ready.into(), message]);
    }
    let skip = usize::from(!all_namespaces);
    let widths: Vec<usize> =
        (0..6).map(|column| table.iter().map(|row| row[column].len()).max().unwrap_or(0)).collect();
    for row in table {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .skip(skip)
            .map(|(column, cell)| format!("{cell:<width$}", width = widths[column]))
            .collect();
        println!("{}", cells.join("\t").trim_end());
    }
}

/// Lists `K` in the namespace (or all), one row each with the revision `revision` reads.
async fn rows<K: FluxObject>(
    cluster: &ClusterOptions,
    all_namespaces: bool,
    revision: impl Fn(&K::Status) -> Option<String>,
) -> anyhow::Result<Vec<Row>> {
    let client = cluster.client().await?;
    let api: Api<K> = if all_namespaces { Api::all(client) } else { Api::namespaced(client, &cluster.namespace) };
    let objects = api.list(&ListParams::default()).await?.items;
    Ok(objects
        .into_iter()
        .map(|object| Row {
            namespace: object.namespace().unwrap_or_default(),
            name: object.name_any(),
            revision: object.status().and_then(&revision).unwrap_or_default(),
            suspended: object.suspended(),
            readiness: readiness(&object),
        })
        .collect())
}

impl GetCommand {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let (all_namespaces, rows) = match self {
            GetCommand::Kustomizations(args) => {
                let rows =
                    rows::<Kustomization>(cluster, args.all_namespaces, |status| status.last_applied_revision.clone());
                (args.all_namespaces, rows.await?)
            }
            GetCommand::Sources(GetSources::Git(args)) => {
                let rows = rows::<GitRepository>(cluster, args.all_namespaces, |status| {
                    status.artifact.as_ref().map(|artifact| artifact.revision.clone())
                });
                (args.all_namespaces, rows.await?)
            }
        };
        print_rows(rows, all_namespaces);
        Ok(())
    }
}

impl SuspendTarget {
    /// Sets `spec.suspend` (`resume` sets it back to false).
    pub async fn run(self, cluster: &ClusterOptions, suspend: bool) -> anyhow::Result<()> {
        let client = cluster.client().await?;
        let patch = json!({ "spec": { "suspend": suspend } });
        let (kind, name) = match &self {
            SuspendTarget::Kustomization { name } => {
                let api: Api<Kustomization> = Api::namespaced(client, &cluster.namespace);
                api.patch(name, &PatchParams::default(), &Patch::Merge(&patch)).await?;
                ("Kustomization", name)
            }
            SuspendTarget::Source(SuspendSource::Git { name }) => {
                let api: Api<GitRepository> = Api::namespaced(client, &cluster.namespace);
                api.patch(name, &PatchParams::default(), &Patch::Merge(&patch)).await?;
                ("GitRepository", name)
            }
        };
        eprintln!("✔ {kind} {}/{name} {}", cluster.namespace, if suspend { "suspended" } else { "resumed" });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_prints_them() {
        for (given, printed) in [
            ("1m", "1m0s"),
            ("90s", "1m30s"),
            ("1h", "1h0m0s"),
            ("10m0s", "10m0s"),
            ("500ms", "500ms"),
            ("1500ms", "1.5s"),
            ("2h30m", "2h30m0s"),
        ] {
            assert_eq!(go_duration(given).unwrap(), printed, "{given}");
        }
        assert!(go_duration("soon").is_err());
        assert!(go_duration("5").is_err());
    }
}
