//! Components built against `weir:plugin@0.1.0` keep working: every world's
//! handle binds them, sends its 0.2 request to the 0.1 function and brings
//! 0.1's results and error variants back as 0.2's (fixtures
//! `legacy-0.1` and `legacy-0.1-notifier`, which use 0.1's bindings only).

mod common;

use common::build_options;
use common::notify::{Endpoint, event, provider};
use weir_plugin_host::WitVersion;
use weir_plugin_host::chart_renderer::{Capabilities, ChartRendererPlugin, ChartRequest, Release};
use weir_plugin_host::decryptor::{DecryptOptions, DecryptorPlugin, DocumentFormat, Key};
use weir_plugin_host::encryptor::{EncryptOptions, EncryptorPlugin};
use weir_plugin_host::notifier::NotifierPlugin;
use weir_plugin_host::renderer::RendererPlugin;
use weir_plugin_host::tag_policy::{Candidate, PolicyRequest, Selection, TagPolicyPlugin};
use weir_plugin_host::types::ErrorCode;

const LEGACY: &str = "legacy-0.1";

#[tokio::test]
async fn a_legacy_renderer_stream_arrives_as_documents() {
    let runtime = common::runtime();
    let plugin = RendererPlugin::new(runtime.clone(), common::load(&runtime, LEGACY)).unwrap();
    assert_eq!(plugin.wit_version(), WitVersion::V0_1);
    assert!(plugin.describe("apps").await.unwrap().is_none(), "0.1 has no describe");
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir(tree.path().join("app")).unwrap();
    std::fs::write(tree.path().join("app/a.yaml"), "kind: A\n").unwrap();
    std::fs::write(tree.path().join("app/b.yaml"), "kind: B\n").unwrap();
    let rendered = plugin.build("apps", tree.path(), &build_options("app")).await.unwrap().unwrap();
    assert_eq!(rendered.documents, ["kind: A\n", "kind: B\n"]);
    assert_eq!(rendered.warnings, ["built by a 0.1 plugin"]);
}

#[tokio::test]
async fn a_legacy_file_and_field_become_path_and_detail() {
    let runtime = common::runtime();
    let plugin = RendererPlugin::new(runtime.clone(), common::load(&runtime, LEGACY)).unwrap();
    let tree = tempfile::tempdir().unwrap();
    let error = plugin.build("apps", tree.path(), &build_options("gone")).await.unwrap().unwrap_err();
    assert_eq!(
        (error.code, error.path.as_deref(), error.detail("field")),
        (ErrorCode::NotFound, Some("gone"), Some("path"))
    );
    assert_eq!(error.to_string(), "gone: no such directory (field path)");
}

fn chart_request(values_json: &str) -> ChartRequest {
    ChartRequest {
        values_json: values_json.into(),
        release: Release {
            name: "podinfo".into(),
            namespace: "apps".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
            service: "Helm".into(),
        },
        capabilities: Capabilities { kube_version: "v1.31.0".into(), api_versions: vec![] },
        include_crds: true,
        skip_tests: false,
    }
}

#[tokio::test]
async fn a_legacy_chart_renderer_renders_and_names_the_failed_template() {
    let runtime = common::runtime();
    let plugin = ChartRendererPlugin::new(runtime.clone(), common::load(&runtime, LEGACY)).unwrap();
    assert_eq!(plugin.wit_version(), WitVersion::V0_1);
    let chart = tempfile::tempdir().unwrap();
    let rendered = plugin.template("apps", chart.path(), &chart_request("{}")).await.unwrap().unwrap();
    assert_eq!(rendered.manifests.len(), 1);
    assert_eq!(rendered.manifests[0].content, "release: podinfo\n");
    assert_eq!(rendered.notes.as_deref(), Some("legacy notes"));
    let error = plugin.template("apps", chart.path(), &chart_request(r#"{"fail":true}"#)).await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    assert_eq!((error.path.as_deref(), error.detail("template")), (None, Some("legacy/templates/release.yaml")));
}

#[tokio::test]
async fn a_legacy_decryptor_is_called_through_decrypt_with() {
    let runtime = common::runtime();
    let plugin = DecryptorPlugin::new(runtime.clone(), common::load(&runtime, LEGACY)).unwrap();
    assert_eq!(plugin.wit_version(), WitVersion::V0_1);
    let keys = [Key::AgeIdentity("AGE-SECRET-KEY-1UNUSED".into())];
    let plain = DecryptOptions { output_format: None, extract: vec![] };
    let decrypted = plugin.decrypt("apps", b"cba", DocumentFormat::Yaml, &keys, &plain).await.unwrap().unwrap();
    assert_eq!(decrypted, b"abc");
    let no_key = plugin.decrypt("apps", b"cba", DocumentFormat::Yaml, &[], &plain).await.unwrap().unwrap_err();
    assert_eq!(no_key.code, ErrorCode::NoMatchingKey);
    let extract = DecryptOptions { output_format: None, extract: vec!["data".into()] };
    let refused = plugin.decrypt("apps", b"cba", DocumentFormat::Yaml, &keys, &extract).await.unwrap().unwrap_err();
    assert_eq!((refused.code, refused.path.as_deref()), (ErrorCode::Unsupported, Some("extract")));
}

#[tokio::test]
async fn a_legacy_decryptor_serves_the_encryptor_world() {
    let runtime = common::runtime();
    let plugin = EncryptorPlugin::new(runtime.clone(), common::load(&runtime, LEGACY)).unwrap();
    assert_eq!(plugin.wit_version(), WitVersion::V0_1);
    let mut options = EncryptOptions {
        age_recipients: vec!["age1example".into()],
        pgp_public_keys: vec![],
        encrypted_regex: None,
        unencrypted_regex: None,
        encrypted_suffix: None,
        unencrypted_suffix: None,
        mac_only_encrypted: false,
        key_groups: vec![],
        shamir_threshold: 0,
    };
    assert_eq!(plugin.encrypt("apps", b"abc", DocumentFormat::Json, &options).await.unwrap().unwrap(), b"cba");
    options.age_recipients.clear();
    let error = plugin.encrypt("apps", b"abc", DocumentFormat::Json, &options).await.unwrap().unwrap_err();
    assert_eq!((error.code, error.path.as_deref()), (ErrorCode::InvalidInput, Some("age-recipients")));
}

fn policy_request(selection: Selection, tags: &[&str]) -> PolicyRequest {
    PolicyRequest {
        candidates: tags.iter().map(|tag| Candidate { tag: (*tag).into(), created: None }).collect(),
        selection,
        filter: None,
    }
}

#[tokio::test]
async fn a_legacy_tag_policy_selects_and_its_variants_become_codes() {
    let runtime = common::runtime();
    let plugin = TagPolicyPlugin::new(runtime.clone(), common::load(&runtime, LEGACY)).unwrap();
    assert_eq!(plugin.wit_version(), WitVersion::V0_1);
    let semver = |range: &str| Selection::Semver(range.into());
    let request = policy_request(semver("*"), &["1.0.0", "1.1.0"]);
    assert_eq!(plugin.select("apps", &request).await.unwrap().unwrap(), "1.1.0");
    let invalid = plugin.select("apps", &policy_request(semver("bad"), &["1.0.0"])).await.unwrap().unwrap_err();
    assert_eq!((invalid.code, invalid.path.as_deref()), (ErrorCode::InvalidInput, Some("selection")));
    let none = plugin.select("apps", &policy_request(semver("*"), &[])).await.unwrap().unwrap_err();
    assert_eq!(none.code, ErrorCode::NoMatch);
}

#[tokio::test]
async fn a_legacy_notifier_reaches_its_origin_and_nothing_else() {
    let runtime = common::runtime();
    let plugin = NotifierPlugin::new(runtime.clone(), common::load(&runtime, "legacy-0.1-notifier")).unwrap();
    assert_eq!(plugin.wit_version(), WitVersion::V0_1);
    let granted = Endpoint::start().await;
    let elsewhere = Endpoint::start().await;
    plugin.notify("apps", &event("deployed"), &provider(&granted.url, None)).await.unwrap().unwrap();
    let error = plugin
        .notify("apps", &event("exfiltrated"), &provider(&granted.url, Some(&elsewhere.url)))
        .await
        .unwrap()
        .unwrap_err();
    // 0.1 reported a denial as a transport failure, which 0.2 calls unavailable.
    assert_eq!(error.code, ErrorCode::Unavailable);
    assert!(error.message.starts_with("denied: ") && error.message.contains("is not granted"), "{}", error.message);
    assert_eq!((granted.bodies(), elsewhere.bodies()), (vec!["deployed".to_owned()], vec![]));
}
