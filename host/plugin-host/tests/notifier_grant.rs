//! A notifier reaches its provider's origin and nothing else.

mod common;

use common::notify::{Endpoint, event, provider};
use weir_plugin_host::notifier::NotifierPlugin;
use weir_plugin_host::types::ErrorCode;

fn notifier() -> NotifierPlugin {
    let runtime = common::runtime();
    NotifierPlugin::new(runtime.clone(), common::load(&runtime, "probe-notifier")).unwrap()
}

#[tokio::test]
async fn delivers_to_the_provider_address() {
    let endpoint = Endpoint::start().await;
    notifier().notify("apps", &event("deployed"), &provider(&endpoint.url, None)).await.unwrap().unwrap();
    assert_eq!(endpoint.bodies(), ["deployed"]);
}

#[tokio::test]
async fn is_denied_any_other_origin() {
    let provider_endpoint = Endpoint::start().await;
    let elsewhere = Endpoint::start().await;
    let outcome = notifier()
        .notify("apps", &event("exfiltrated"), &provider(&provider_endpoint.url, Some(&elsewhere.url)))
        .await
        .unwrap();
    match outcome {
        Err(error) => {
            assert_eq!(error.code, ErrorCode::Denied);
            assert!(error.message.contains("is not granted"), "{}", error.message);
        }
        other => panic!("expected a denial, got {other:?}"),
    }
    assert!(elsewhere.bodies().is_empty() && provider_endpoint.bodies().is_empty());
}

#[tokio::test]
async fn the_same_host_on_another_port_is_another_origin() {
    let provider_endpoint = Endpoint::start().await;
    let other_port =
        provider_endpoint.url.replace("/hook", "").rsplit_once(':').map(|(host, _)| format!("{host}:1/hook")).unwrap();
    let outcome =
        notifier().notify("apps", &event("x"), &provider(&provider_endpoint.url, Some(&other_port))).await.unwrap();
    assert!(
        matches!(&outcome, Err(error) if error.code == ErrorCode::Denied && error.message.contains("is not granted")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn an_invalid_provider_address_is_a_config_error() {
    let outcome = notifier().notify("apps", &event("x"), &provider("ftp://example.org/x", None)).await.unwrap();
    match outcome {
        Err(error) => assert_eq!((error.code, error.path.as_deref()), (ErrorCode::InvalidInput, Some("address"))),
        other => panic!("expected invalid config, got {other:?}"),
    }
}
