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

#[test]
fn mutual_tls_needs_the_client_certificate() {
    let certificates = Certificates::generate();
    let registry = Registry::start(&RegistryOptions {
        tls: Some(&certificates),
        require_client_certificate: true,
        ..RegistryOptions::default()
    });
    let app = Reference::parse(&format!("{}/mutual/app:v1", registry.host)).unwrap();
    let client_with = |client: Option<(&[u8], &[u8])>| {
        let material = weir_tls::TlsMaterial { ca_pem: Some(certificates.ca_pem.as_bytes()), client };
        let tls = weir_tls::client_config(material).expect("TLS config");
        RegistryClient::new(ClientOptions {
            tls: Some(tls),
            timeout: Duration::from_secs(20),
            ..ClientOptions::default()
        })
        .unwrap()
    };
    let identified =
        client_with(Some((certificates.client_cert_pem.as_bytes(), certificates.client_key_pem.as_bytes())));
    let pushed = common::push_image(&identified, &app, &[b"over mutual TLS"]);
    assert_eq!(identified.manifest(&app).expect("manifest over mutual TLS").digest, pushed.manifest_digest);

    // The CA alone is not enough: the registry ends the handshake.
    let anonymous = client_with(None);
    let error = anonymous.manifest(&app).expect_err("no client certificate");
    assert!(matches!(error, RegistryError::Tls { .. } | RegistryError::Transport { .. }), "{error:?}");
}
