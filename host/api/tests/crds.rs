//! `crds/` holds exactly what the Rust types generate.
//! Regenerate with `WEIR_UPDATE_CRDS=1 cargo test -p weir-api --test crds`.

use std::path::PathBuf;

#[test]
fn crds_directory_is_up_to_date() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../crds");
    let update = std::env::var_os("WEIR_UPDATE_CRDS").is_some();
    let mut stale = Vec::new();
    for crd in weir_api::crds() {
        let name = crd.metadata.name.clone().unwrap_or_default();
        let path = dir.join(format!("{name}.yaml"));
        let generated = weir_api::to_yaml(&crd);
        if update {
            std::fs::write(&path, &generated).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(stale.is_empty(), "stale CRDs (regenerate with WEIR_UPDATE_CRDS=1): {stale:?}");
}
