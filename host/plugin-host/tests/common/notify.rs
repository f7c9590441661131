//! A provider endpoint and the event and provider records notifier tests send.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use weir_plugin_host::notifier::{Event, ObjectReference, Provider, Severity};

/// An HTTP/1.1 endpoint on loopback that answers 200 and keeps the bodies it got.
pub struct Endpoint {
    pub url: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Endpoint {
    pub async fn start() -> Self {
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

    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

pub fn event(message: &str) -> Event {
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

pub fn provider(address: &str, channel: Option<&str>) -> Provider {
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
