//! A notifier reaches its provider's origin and nothing else.

mod common;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use weir_plugin_host::notifier::{Event, NotifierPlugin, NotifyError, ObjectReference, Provider, Severity};

/// An HTTP/1.1 endpoint on loopback that answers 200 and keeps the bodies it got.
struct Endpoint {
    url: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Endpoint {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = bodies.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let mut reader = BufReader::new(stream);
                let mut content_length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap() == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            content_length = value.trim().parse().unwrap();
                        }
                    }
                }
                let mut body = vec![0; content_length];
                reader.read_exact(&mut body).await.unwrap();
                kept.lock().unwrap().push(String::from_utf8(body).unwrap());
                let response = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                reader.into_inner().write_all(response).await.unwrap();
            }
        });
        Self { url, bodies }
    }

    fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

fn event(message: &str) -> Event {
    Event {
        involved_object: ObjectReference {
            api_version: "kustomize.toolkit.fluxcd.io/v1".into(),
            kind: "Kustomization".into(),
            namespace: "apps".into(),
            name: "podinfo".into(),
            uid: "0b1c".into(),
        },
        severity: Severity::Info,
        timestamp: "2026-11-23T10:00:00Z".into(),
        reason: "ReconciliationSucceeded".into(),
        message: message.into(),
        reporting_controller: "kustomize-controller".into(),
        metadata: vec![],
    }
}

fn provider(address: &str, channel: Option<&str>) -> Provider {
    Provider {
        provider_type: "generic".into(),
        address: address.into(),
        channel: channel.map(Into::into),
        username: None,
        token: None,
        headers: vec![],
        proxy: None,
    }
}

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
        Err(NotifyError::Transport(detail)) => assert!(detail.message.contains("is not granted"), "{}", detail.message),
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
    assert!(matches!(outcome, Err(NotifyError::Transport(detail)) if detail.message.contains("is not granted")));
}

#[tokio::test]
async fn an_invalid_provider_address_is_a_config_error() {
    let outcome = notifier().notify("apps", &event("x"), &provider("ftp://example.org/x", None)).await.unwrap();
    match outcome {
        Err(NotifyError::InvalidConfig(detail)) => assert_eq!(detail.field.as_deref(), Some("address")),
        other => panic!("expected invalid config, got {other:?}"),
    }
}
