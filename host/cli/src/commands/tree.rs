//! `weir tree kustomization NAME`: what a Kustomization manages, as `flux tree` draws it — its
//! inventory, recursively through the Kustomizations it applied, and for each HelmRelease the
//! objects of its current Helm release.

use std::future::Future;
use std::pin::Pin;

use anyhow::Context;
use kube::{Api, Client};
use weir_api::helm::HelmRelease;
use weir_api::kustomize::Kustomization;
use weir_apply::ObjectId;

use crate::cluster::ClusterOptions;

#[derive(clap::Subcommand)]
pub enum TreeCommand {
    /// The objects a Kustomization manages.
    #[command(alias = "ks")]
    Kustomization(TreeArgs),
}

#[derive(clap::Args)]
pub struct TreeArgs {
    name: String,
    /// Only Flux's own objects (the toolkit's groups).
    #[arg(long)]
    compact: bool,
}

/// One object and what it manages.
struct Node {
    id: ObjectId,
    children: Vec<Node>,
}

const KUSTOMIZE_GROUP: &str = "kustomize.toolkit.fluxcd.io";
const HELM_GROUP: &str = "helm.toolkit.fluxcd.io";

impl TreeCommand {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let TreeCommand::Kustomization(args) = self;
        let client = cluster.client().await?;
        let namespace = cluster.namespace();
        let root = Api::<Kustomization>::namespaced(client.clone(), namespace)
            .get(&args.name)
            .await
            .map_err(crate::commands::flux::api_error)?;
        let id = ObjectId {
            group: KUSTOMIZE_GROUP.into(),
            kind: "Kustomization".into(),
            namespace: namespace.into(),
            name: args.name.clone(),
        };
        let children = managed_by(client, root, args.compact).await?;
        print!("{}\n", draw(&Node { id, children }));
        Ok(())
    }
}

/// The inventory of `kustomization` as nodes; Kustomizations and HelmReleases with their own.
fn managed_by(
    client: Client,
    kustomization: Kustomization,
    compact: bool,
) -> Pin<Box<dyn Future<Output = anyhow::Result<Vec<Node>>> + Send>> {
    Box::pin(async move {
        let entries = kustomization.status.as_ref().and_then(|status| status.inventory.as_ref());
        let mut nodes = Vec::new();
        for entry in entries.map(|inventory| inventory.entries.as_slice()).unwrap_or_default() {
            let id = ObjectId::from_inventory_id(&entry.id)
                .with_context(|| format!("inventory entry {:?} is not <namespace>_<name>_<group>_<kind>", entry.id))?;
            if compact && !id.group.contains("toolkit.fluxcd.io") {
                continue;
            }
            let own = kustomization.metadata.namespace.as_deref() == Some(id.namespace.as_str())
                && kustomization.metadata.name.as_deref() == Some(id.name.as_str());
            if id.group == KUSTOMIZE_GROUP && id.kind == "Kustomization" && own {
                continue;
            }
            // Objects on remote clusters are not in this one.
            let local = kustomization.spec.kube_config.is_none();
            let children = match (id.group.as_str(), id.kind.as_str()) {
                (KUSTOMIZE_GROUP, "Kustomization") if local => {
                    let nested = Api::<Kustomization>::namespaced(client.clone(), &id.namespace)
                        .get(&id.name)
                        .await
                        .with_context(|| format!("failed to find object: {id}"))?;
                    managed_by(client.clone(), nested, compact).await?
                }
                (HELM_GROUP, "HelmRelease") => released(&client, &id, compact).await?,
                _ => Vec::new(),
            };
            nodes.push(Node { id, children });
        }
        Ok(nodes)
    })
}

/// The objects of a HelmRelease's current release, from its Helm storage.
async fn released(client: &Client, id: &ObjectId, compact: bool) -> anyhow::Result<Vec<Node>> {
    let release = Api::<HelmRelease>::namespaced(client.clone(), &id.namespace).get(&id.name).await?;
    let status = release.status.as_ref();
    let storage = status.and_then(|status| status.storage_namespace.as_deref());
    let latest = status.and_then(|status| status.history.as_ref()).and_then(|history| history.first());
    let (Some(storage), Some(latest), None) = (storage, latest, release.spec.kube_config.as_ref()) else {
        return Ok(Vec::new());
    };
    let store = weir_helm_storage::ReleaseStore::new(client.clone(), storage);
    let recorded = match store.get(&latest.name, latest.version).await {
        Ok(recorded) => recorded,
        Err(weir_helm_storage::StoreError::NotFound { .. }) => return Ok(Vec::new()),
        Err(error) => return Err(error).with_context(|| format!("the Helm storage of HelmRelease {id}")),
    };
    let objects =
        weir_apply::parse_stream(&recorded.manifest).with_context(|| format!("the manifest of HelmRelease {id}"))?;
    // As flux, each object as its manifest names it.
    Ok(objects
        .iter()
        .map(weir_apply::Object::id)
        .filter(|id| !compact || id.group.contains("toolkit.fluxcd.io"))
        .map(|id| Node { id, children: Vec::new() })
        .collect())
}

/// `flux tree`'s drawing: the root, then each child after `├── ` or `└── `.
fn draw(root: &Node) -> String {
    fn items(nodes: &[Node], prefix: &str, out: &mut String) {
        for (index, node) in nodes.iter().enumerate() {
            let last = index + 1 == nodes.len();
            out.push_str(&format!("{prefix}{}{}\n", if last { "└── " } else { "├── " }, node.id));
            let deeper = format!("{prefix}{}", if last { "    " } else { "│   " });
            items(&node.children, &deeper, out);
        }
    }
    let mut out = format!("{}\n", root.id);
    items(&root.children, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, children: Vec<Node>) -> Node {
        Node { id: ObjectId::from_inventory_id(id).unwrap(), children }
    }

    #[test]
    fn trees_draw_as_flux_draws_them() {
        let tree = node(
            "flux-system_flux-system_kustomize.toolkit.fluxcd.io_Kustomization",
            vec![
                node("_flux-system__Namespace", vec![]),
                node(
                    "flux-system_infrastructure_kustomize.toolkit.fluxcd.io_Kustomization",
                    vec![
                        node("_cert-manager__Namespace", vec![]),
                        node("cert-manager_cert-manager_source.toolkit.fluxcd.io_HelmRepository", vec![]),
                    ],
                ),
                node("flux-system_flux-system_source.toolkit.fluxcd.io_GitRepository", vec![]),
            ],
        );
        assert_eq!(
            draw(&tree),
            "Kustomization/flux-system/flux-system\n\
             ├── Namespace/flux-system\n\
             ├── Kustomization/flux-system/infrastructure\n\
             │   ├── Namespace/cert-manager\n\
             │   └── HelmRepository/cert-manager/cert-manager\n\
             └── GitRepository/flux-system/flux-system\n"
        );
    }
}
