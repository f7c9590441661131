//! Throttling: nginx's rate limiting in front of a real registry answers 429 with
//! `Retry-After`, as hosted registries do; the client waits that long and retries.

mod common;

use std::time::{Duration, Instant};

use common::push_image;
use weir_registry::{ClientOptions, Reference, RegistryClient, RegistryError};
use weir_testkit::registry::{RateLimitedProxy, Registry, RegistryOptions};

#[test]
fn a_429_is_retried_after_retry_after() {
    let registry = Registry::start(&RegistryOptions::default());
    push_image(&common::client(None), &common::reference(&registry, "org/app:v1"), &[b"layer"]);
    let proxy = RateLimitedProxy::start(registry.port, 2);
    let app = Reference::parse(&format!("{}/org/app:v1", proxy.host)).unwrap();
    let options = ClientOptions { plain_http: true, timeout: Duration::from_secs(20), ..ClientOptions::default() };

    let client = RegistryClient::new(options.clone()).unwrap();
    assert_eq!(client.tags(&app).expect("first request passes"), ["v1"]);
    assert_eq!(client.retries(), 0);
    let started = Instant::now();
    let manifest = client.manifest(&app).expect("throttled, then retried");
    assert!(started.elapsed() >= Duration::from_secs(2), "waited Retry-After: {:?}", started.elapsed());
    assert_eq!(client.retries(), 1);
    assert!(!manifest.bytes.is_empty());

    let impatient = RegistryClient::new(ClientOptions { max_retries: 0, ..options }).unwrap();
    let error = impatient.tags(&app).expect_err("throttled, no retries");
    let RegistryError::Http { status, .. } = &error else { panic!("{error:?}") };
    assert_eq!(status, "429 Too Many Requests");
    assert!(
        error.to_string().starts_with(&format!("GET http://{}/v2/org/app/tags/list?n=1000: 429", proxy.host)),
        "{error}"
    );
}

#[test]
fn a_refused_connection_is_retried_with_backoff_then_reported() {
    let port = weir_testkit::net::free_port();
    let app = Reference::parse(&format!("127.0.0.1:{port}/org/app:v1")).unwrap();
    let client =
        RegistryClient::new(ClientOptions { plain_http: true, max_retries: 2, ..ClientOptions::default() }).unwrap();
    let started = Instant::now();
    let error = client.manifest(&app).expect_err("nothing listens");
    // 200 ms, then 400 ms.
    assert!(started.elapsed() >= Duration::from_millis(600), "{:?}", started.elapsed());
    assert_eq!(client.retries(), 2);
    assert!(matches!(error, RegistryError::Transport { .. }), "{error:?}");
    assert!(
        error.to_string().starts_with(&format!("GET http://127.0.0.1:{port}/v2/org/app/manifests/v1: ")),
        "{error}"
    );
}
