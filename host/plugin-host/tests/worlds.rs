//! The chart-renderer and decryptor worlds cross the boundary intact: the
//! mount, every request field and every result field (fixture plugins).

mod common;

use weir_plugin_host::LoadError;
use weir_plugin_host::WitVersion;
use weir_plugin_host::chart_renderer::{Capabilities, ChartRendererPlugin, ChartRequest, Release};
use weir_plugin_host::decryptor::{DecryptOptions, DecryptorPlugin, DocumentFormat, Key};
use weir_plugin_host::encryptor::EncryptorPlugin;
use weir_plugin_host::types::ErrorCode;

fn chart_request() -> ChartRequest {
    ChartRequest {
        values_json: r#"{"replicas":2}"#.into(),
        release: Release {
            name: "podinfo".into(),
            namespace: "apps".into(),
            revision: 3,
            is_install: false,
            is_upgrade: true,
            service: "Helm".into(),
        },
        capabilities: Capabilities { kube_version: "v1.31.0".into(), api_versions: vec!["apps/v1".into()] },
        include_crds: false,
        skip_tests: true,
    }
}

#[tokio::test]
async fn a_chart_renderer_sees_its_chart_and_request() {
    let runtime = common::runtime();
    let plugin = ChartRendererPlugin::new(runtime.clone(), common::load(&runtime, "fixture-chart-renderer")).unwrap();
    let chart = tempfile::tempdir().unwrap();
    std::fs::create_dir(chart.path().join("templates")).unwrap();
    std::fs::write(chart.path().join("templates/service.yaml"), "name: {{ .Release.Name }}-svc\n").unwrap();
    let rendered = plugin.template("apps", chart.path(), &chart_request()).await.unwrap().unwrap();
    assert_eq!(rendered.manifests.len(), 1);
    assert_eq!(rendered.manifests[0].source, "templates/service.yaml");
    assert_eq!(rendered.manifests[0].content, "name: podinfo-svc\n");
    assert_eq!(rendered.notes.as_deref(), Some(r#"podinfo in apps (revision 3) on v1.31.0 with {"replicas":2}"#));
}

#[tokio::test]
async fn a_chart_renderer_error_names_the_file() {
    let runtime = common::runtime();
    let plugin = ChartRendererPlugin::new(runtime.clone(), common::load(&runtime, "fixture-chart-renderer")).unwrap();
    let empty_chart = tempfile::tempdir().unwrap();
    match plugin.template("apps", empty_chart.path(), &chart_request()).await.unwrap() {
        Err(error) => assert_eq!((error.code, error.path.as_deref()), (ErrorCode::NotFound, Some("templates"))),
        other => panic!("expected a missing templates directory, got {other:?}"),
    }
}

#[tokio::test]
async fn a_decryptor_gets_its_keys_and_returns_bytes() {
    let runtime = common::runtime();
    let plugin = DecryptorPlugin::new(runtime.clone(), common::load(&runtime, "fixture-decryptor")).unwrap();
    let key = vec![0x5a, 0x0f];
    let secret: Vec<u8> = b"password: hunter2".iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k).collect();
    let keys = [Key::AgeIdentity("AGE-SECRET-KEY-1UNUSED".into()), Key::DataKey(key)];
    let plain = plugin.decrypt("apps", &secret, DocumentFormat::Yaml, &keys, &PLAIN).await.unwrap().unwrap();
    assert_eq!(plain, b"password: hunter2");
    let outcome = plugin.decrypt("apps", &secret, DocumentFormat::Yaml, &[], &PLAIN).await.unwrap();
    assert!(matches!(&outcome, Err(error) if error.code == ErrorCode::NoMatchingKey), "{outcome:?}");
}

#[tokio::test]
async fn a_plugin_registered_for_one_world_is_refused_by_another() {
    let runtime = common::runtime();
    match EncryptorPlugin::new(runtime.clone(), common::load(&runtime, "fixture-decryptor")) {
        Err(LoadError::WrongWorld { world, reason, .. }) => {
            assert_eq!(world, "encryptor");
            assert!(reason.contains("weir:plugin/encrypt@0.2.0"), "{reason}");
        }
        Err(other) => panic!("expected a wrong world, got {other}"),
        Ok(_) => panic!("a decryptor-only plugin bound as an encryptor"),
    }
}

#[tokio::test]
async fn a_plugin_describes_itself_with_its_crate_name_and_version() {
    let runtime = common::runtime();
    let plugin = DecryptorPlugin::new(runtime.clone(), common::load(&runtime, "fixture-decryptor")).unwrap();
    assert_eq!(plugin.wit_version(), WitVersion::V0_2);
    let info = plugin.describe("apps").await.unwrap().expect("a 0.2 plugin describes itself");
    assert_eq!(
        (info.name.as_str(), info.version.as_str(), info.config_schema),
        ("weir-fixture-decryptor-plugin", env!("CARGO_PKG_VERSION"), None)
    );
}

const PLAIN: DecryptOptions = DecryptOptions { output_format: None, extract: Vec::new() };
