//! Flux overlay options: building a tree with `BuildOptions`' Flux fields must
//! equal `kubectl kustomize` on the same tree whose kustomization.yaml was
//! edited the way Flux's controller edits it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use weir_kustomize::{BuildOptions, CommonMetadata, Image, Patch, PatchTarget, build};

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
      - name: app
        image: ghcr.io/example/app:v1
        envFrom:
        - configMapRef:
            name: settings
";
const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n";

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (p, c) in files {
        let p = dir.join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, c).unwrap();
    }
}

fn kubectl(dir: &Path) -> String {
    let out = Command::new("kubectl").arg("kustomize").arg(dir).output().expect("kubectl is the oracle");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Builds `files` with `opts`, and `files` + `edited` (the Flux-edited
/// kustomization) with kubectl; both must agree.
fn check(files: &[(&str, &str)], opts: BuildOptions, edited: &[(&str, &str)]) {
    let ours_dir = tempfile::tempdir().unwrap();
    write(ours_dir.path(), files);
    let ours = build(ours_dir.path(), &opts).unwrap();
    let oracle_dir = tempfile::tempdir().unwrap();
    write(oracle_dir.path(), files);
    write(oracle_dir.path(), edited);
    assert_eq!(ours, kubectl(oracle_dir.path()));
}

#[test]
fn generated_kustomization_takes_all_manifests() {
    let files = [
        ("z.yaml", CM),
        ("apps/deploy.yml", DEPLOY),
        ("apps/readme.md", "not yaml"),
        ("nested/kustomization.yaml", "namePrefix: n-\nresources:\n- cm.yaml\n"),
        ("nested/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inner\n"),
        ("nested/ignored.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ignored\n"),
    ];
    let opts = BuildOptions { generate_kustomization: true, ..Default::default() };
    check(&files, opts, &[("kustomization.yaml", "resources:\n- apps/deploy.yml\n- nested\n- z.yaml\n")]);
}

#[test]
fn without_generation_a_missing_kustomization_fails() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("cm.yaml", CM)]);
    let err = build(dir.path(), &BuildOptions::default()).unwrap_err();
    assert_eq!(err.wit_case(), "not-found");
    assert!(err.to_string().contains("unable to find one of 'kustomization.yaml'"), "{err}");
}

#[test]
fn namespace_prefix_suffix_override_the_root() {
    let files = [
        ("kustomization.yaml", "namespace: a\nnamePrefix: x-\nresources:\n- d.yaml\n- c.yaml\n"),
        ("d.yaml", DEPLOY),
        ("c.yaml", CM),
    ];
    let opts = BuildOptions {
        target_namespace: Some("flux-ns".into()),
        name_prefix: Some("pre-".into()),
        name_suffix: Some("-suf".into()),
        ..Default::default()
    };
    check(
        &files,
        opts,
        &[(
            "kustomization.yaml",
            "namespace: flux-ns\nnamePrefix: pre-\nnameSuffix: -suf\nresources:\n- d.yaml\n- c.yaml\n",
        )],
    );
}

#[test]
fn patches_images_components_are_appended() {
    let files = [
        (
            "kustomization.yaml",
            "resources:\n- d.yaml\n- c.yaml\nimages:\n- name: ghcr.io/example/app\n  newTag: v2\n- name: other\n  newTag: x\n",
        ),
        ("d.yaml", DEPLOY),
        ("c.yaml", CM),
        ("comp/kustomization.yaml", "kind: Component\ncommonAnnotations:\n  comp: \"yes\"\n"),
    ];
    let opts = BuildOptions {
        components: vec!["comp".into()],
        patches: vec![Patch {
            patch: "- op: add\n  path: /data/flux\n  value: patched\n".into(),
            target: Some(PatchTarget { kind: "ConfigMap".into(), name: "settings".into(), ..Default::default() }),
        }],
        images: vec![Image { name: "ghcr.io/example/app".into(), new_tag: "v3".into(), ..Default::default() }],
        ..Default::default()
    };
    check(
        &files,
        opts,
        &[(
            "kustomization.yaml",
            "resources:\n- d.yaml\n- c.yaml\nimages:\n- name: ghcr.io/example/app\n  newTag: v3\n- name: other\n  newTag: x\ncomponents:\n- comp\npatches:\n- patch: |\n    - op: add\n      path: /data/flux\n      value: patched\n  target:\n    kind: ConfigMap\n    name: settings\n",
        )],
    );
}

#[test]
fn common_metadata_adds_labels_and_annotations() {
    let files = [("kustomization.yaml", "commonAnnotations:\n  keep: me\nresources:\n- d.yaml\n"), ("d.yaml", DEPLOY)];
    let opts = BuildOptions {
        common_metadata: Some(CommonMetadata {
            labels: BTreeMap::from([("team".to_string(), "core".to_string())]),
            annotations: BTreeMap::from([("owner".to_string(), "flux".to_string())]),
        }),
        ..Default::default()
    };
    check(
        &files,
        opts,
        &[(
            "kustomization.yaml",
            "commonAnnotations:\n  keep: me\n  owner: flux\nlabels:\n- pairs:\n    team: core\nresources:\n- d.yaml\n",
        )],
    );
}
