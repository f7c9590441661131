//! The inventory: what a Kustomization applied, as `status.inventory` records it, so the next
//! revision can prune what left the source.

use weir_api::kustomize::{KustomizationStatus, ResourceInventory, ResourceRef};
use weir_apply::ObjectId;

pub(super) fn inventory_of(status: &KustomizationStatus) -> Vec<(ObjectId, String)> {
    status
        .inventory
        .iter()
        .flat_map(|inventory| &inventory.entries)
        .filter_map(|entry| Some((ObjectId::from_inventory_id(&entry.id)?, entry.v.clone())))
        .collect()
}

pub(super) fn to_inventory(objects: &[(ObjectId, String)]) -> ResourceInventory {
    let mut entries: Vec<ResourceRef> =
        objects.iter().map(|(id, version)| ResourceRef { id: id.inventory_id(), v: version.clone() }).collect();
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    entries.dedup();
    ResourceInventory { entries }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_is_sorted_and_unique() {
        let id = |name: &str| ObjectId {
            group: "apps".into(),
            kind: "Deployment".into(),
            namespace: "a".into(),
            name: name.into(),
        };
        let inventory = to_inventory(&[(id("b"), "v1".into()), (id("a"), "v1".into()), (id("a"), "v1".into())]);
        let ids: Vec<&str> = inventory.entries.iter().map(|entry| entry.id.as_str()).collect();
        assert_eq!(ids, ["a_a_apps_Deployment", "a_b_apps_Deployment"]);
    }
}
