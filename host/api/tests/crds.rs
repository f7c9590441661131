//! `crds/` holds exactly what the Rust types generate.
//! Regenerate with `WEIR_UPDATE_CRDS=1 cargo test -p weir-api --test crds`.

use std::path::PathBuf;

#[test]
fn crds_directory_is_up_to_date() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../crds");
    let update = std::env::var_os("WEIR_UPDATE_CRDS").is_some();
    let mut stale = Vec::new();
    for (file, generated) in weir_api::crd_files() {
        let path = dir.join(file);
        if update {
            std::fs::write(&path, &generated).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(stale.is_empty(), "stale CRDs (regenerate with WEIR_UPDATE_CRDS=1): {stale:?}");
}

#[test]
fn beta_kinds_also_serve_their_deprecated_beta_versions() {
    let versions = |name: &str| {
        let crds = weir_api::crds();
        let crd = crds.into_iter().find(|crd| crd.metadata.name.as_deref() == Some(name)).unwrap();
        let schema = &crd.spec.versions[0].schema;
        assert!(crd.spec.versions.iter().all(|version| &version.schema == schema), "{name}: one schema");
        crd.spec
            .versions
            .into_iter()
            .map(|version| (version.name, version.served, version.storage, version.deprecation_warning))
            .collect::<Vec<_>>()
    };
    let current_and = |current: &str, beta: &str, kind: &str| {
        vec![
            (current.to_owned(), true, true, None),
            (beta.to_owned(), true, false, Some(format!("{beta} {kind} is deprecated, upgrade to {current}"))),
        ]
    };
    assert_eq!(versions("helmreleases.helm.toolkit.fluxcd.io"), current_and("v2", "v2beta2", "HelmRelease"));
    assert_eq!(versions("helmrepositories.source.toolkit.fluxcd.io"), current_and("v1", "v1beta2", "HelmRepository"));
    assert_eq!(versions("helmcharts.source.toolkit.fluxcd.io"), current_and("v1", "v1beta2", "HelmChart"));
    assert_eq!(versions("ocirepositories.source.toolkit.fluxcd.io"), current_and("v1", "v1beta2", "OCIRepository"));
    assert_eq!(versions("buckets.source.toolkit.fluxcd.io"), current_and("v1", "v1beta2", "Bucket"));
    assert_eq!(versions("gitrepositories.source.toolkit.fluxcd.io").len(), 1);
}
