//! A registry over TLS with a private CA: trusted through weir_tls with the CA (as a Secret's
//! ca.crt gives it), refused with a certificate error without it.

mod common;

use std::time::Duration;

use weir_registry::{ClientOptions, Reference, RegistryClient, RegistryError};
use weir_testkit::registry::{Registry, RegistryOptions};
use weir_testkit::tls::Certificates;

#[test]
fn the_custom_ca_is_trusted_and_nothing_else() {
    let certificates = Certificates::generate();
    let registry = Registry::start(&RegistryOptions { tls: Some(&certificates), ..RegistryOptions::default() });
    let app = Reference::parse(&format!("{}/secure/app:v1", registry.host)).unwrap();

    let tls =
        weir_tls::client_config(weir_tls::TlsMaterial { ca_pem: Some(certificates.ca_pem.as_bytes()), client: None })
            .expect("TLS config");
    let client = RegistryClient::new(ClientOptions {
        tls: Some(tls),
        timeout: Duration::from_secs(20),
        ..ClientOptions::default()
    })
    .unwrap();
    let pushed = common::push_image(&client, &app, &[b"over TLS"]);
    assert_eq!(client.manifest(&app).expect("manifest over TLS").digest, pushed.manifest_digest);

    let untrusting = RegistryClient::new(ClientOptions::default()).unwrap();
    let error = untrusting.manifest(&app).expect_err("unknown CA");
    let RegistryError::Tls { url, message, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*url, format!("https://{}/v2/secure/app/manifests/v1", registry.host));
    assert!(message.contains("certificate"), "{message}");
    assert!(error.to_string().contains("TLS certificate error"), "{error}");
    assert_eq!(untrusting.retries(), 0, "a certificate error is not retried");
}
