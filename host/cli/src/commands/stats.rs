//! `weir stats`: per kind, how many objects reconcile, fail and are suspended, and how much
//! their artifacts hold, as `flux stats` tabulates them (weir's Plugin kinds after Flux's).

use kube::api::{Api, DynamicObject, ListParams};

use crate::cluster::ClusterOptions;
use crate::commands::flux::table;
use crate::kinds::GITOPS_KINDS;

#[derive(clap::Args)]
pub struct StatsArgs {
    /// Across every namespace.
    #[arg(short = 'A', long)]
    all_namespaces: bool,
}

impl StatsArgs {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let client = cluster.client().await?;
        let mut rows = Vec::new();
        for kind in GITOPS_KINDS {
            let resource = kind.resource();
            let api = if self.all_namespaces || kind.cluster_scoped() {
                Api::<DynamicObject>::all_with(client.clone(), &resource)
            } else {
                Api::<DynamicObject>::namespaced_with(client.clone(), cluster.namespace(), &resource)
            };
            // A kind this cluster does not serve counts nothing, as flux counts it.
            let objects = api.list(&ListParams::default()).await.map(|list| list.items).unwrap_or_default();
            let suspended = objects.iter().filter(|object| object.data["spec"]["suspend"] == true).count();
            let failing = objects
                .iter()
                .filter(|object| {
                    object.data["status"]["conditions"].as_array().is_some_and(|conditions| {
                        conditions
                            .iter()
                            .any(|condition| condition["type"] == "Ready" && condition["status"] == "False")
                    })
                })
                .count();
            let size: i64 =
                objects.iter().filter_map(|object| object.data["status"]["artifact"]["size"].as_i64()).sum();
            rows.push(vec![
                kind.kind.to_owned(),
                (objects.len() - suspended).to_string(),
                failing.to_string(),
                suspended.to_string(),
                size_of(size),
            ]);
        }
        print!("{}", table::render(&["Reconcilers", "Running", "Failing", "Suspended", "Storage"], &rows));
        Ok(())
    }
}

/// Bytes as flux shows them: `-` for none, `512 B`, `1.2 KiB`, `3.0 MiB`.
fn size_of(bytes: i64) -> String {
    const UNIT: i64 = 1024;
    if bytes == 0 {
        return "-".into();
    }
    if bytes < UNIT {
        return format!("{bytes} B");
    }
    let (mut divisor, mut exponent) = (UNIT, 0);
    let mut rest = bytes / UNIT;
    while rest >= UNIT {
        divisor *= UNIT;
        exponent += 1;
        rest /= UNIT;
    }
    format!("{:.1} {}iB", bytes as f64 / divisor as f64, &"KMGTPE"[exponent..=exponent])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_print_as_flux_prints_them() {
        assert_eq!(size_of(0), "-");
        assert_eq!(size_of(512), "512 B");
        assert_eq!(size_of(1229), "1.2 KiB");
        assert_eq!(size_of(3 << 20), "3.0 MiB");
        assert_eq!(size_of(5 << 30), "5.0 GiB");
    }
}
