//! The chart-renderer and decryptor worlds cross the boundary intact: the
//! mount, every request field and every result field (fixture plugins).

mod common;

use weir_plugin_host::chart_renderer::{Capabilities, ChartError, ChartRendererPlugin, ChartRequest, Release};
use weir_plugin_host::decryptor::{CryptError, DecryptorPlugin, DocumentFormat, EncryptOptions, Key};

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
        Err(ChartError::InvalidChart(detail)) => assert_eq!(detail.file.as_deref(), Some("templates")),
        other => panic!("expected an invalid chart, got {other:?}"),
    }
}

#[tokio::test]
async fn a_decryptor_gets_its_keys_and_returns_bytes() {
    let runtime = common::runtime();
    let plugin = DecryptorPlugin::new(runtime.clone(), common::load(&runtime, "fixture-decryptor")).unwrap();
    let key = vec![0x5a, 0x0f];
    let secret: Vec<u8> = b"password: hunter2".iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k).collect();
    let keys = [Key::AgeIdentity("AGE-SECRET-KEY-1UNUSED".into()), Key::DataKey(key)];
    let plain = plugin.decrypt("apps", &secret, DocumentFormat::Yaml, &keys).await.unwrap().unwrap();
    assert_eq!(plain, b"password: hunter2");
    let outcome = plugin.decrypt("apps", &secret, DocumentFormat::Yaml, &[]).await.unwrap();
    assert!(matches!(outcome, Err(CryptError::NoMatchingKey(_))), "{outcome:?}");
}

#[tokio::test]
async fn the_sdk_default_encrypt_answers_unsupported() {
    let runtime = common::runtime();
    let plugin = DecryptorPlugin::new(runtime.clone(), common::load(&runtime, "fixture-decryptor")).unwrap();
    let options = EncryptOptions {
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
    let outcome = plugin.encrypt("apps", b"a: b", DocumentFormat::Yaml, &options).await.unwrap();
    assert!(matches!(outcome, Err(CryptError::Unsupported(_))), "{outcome:?}");
}
