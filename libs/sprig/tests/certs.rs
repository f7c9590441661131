//! Certificates and keys: Go's output is random, so these check the shape
//! (PEM labels, names, usages) of what is generated from fixed test keys.

mod common;

use common::call;
use weir_gotemplate::Value;

fn s(text: &str) -> Value {
    Value::from(text)
}

fn member(value: &Value, name: &str) -> String {
    let Value::Object(object) = value else { panic!("a certificate object, got {value:?}") };
    object.member(name, &[]).unwrap().unwrap().to_string()
}

const RSA: &str = include_str!("keys/rsa.pem");
const EC: &str = include_str!("keys/ec.pem");
const ED25519: &str = include_str!("keys/ed25519.pem");

#[test]
fn certificates_from_given_keys() {
    let ca = call("genCAWithKey", &[s("my-ca"), Value::Int(365), s(RSA)]).unwrap();
    assert!(member(&ca, "Cert").starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert!(member(&ca, "Key").starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    let ips = Value::list(vec![s("10.0.0.1")]);
    let names = Value::list(vec![s("svc.example"), s("svc")]);
    for key in [EC, ED25519, RSA] {
        let cert =
            call("genSignedCertWithKey", &[s("leaf"), ips.clone(), names.clone(), Value::Int(30), ca.clone(), s(key)])
                .unwrap();
        assert!(member(&cert, "Cert").starts_with("-----BEGIN CERTIFICATE-----\n"));
    }
    let self_signed =
        call("genSelfSignedCertWithKey", &[s("me"), Value::Nil, Value::Nil, Value::Int(1), s(EC)]).unwrap();
    assert!(member(&self_signed, "Key").starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    let b64 = |t: String| call("b64enc", &[s(&t)]).unwrap();
    let rebuilt = call("buildCustomCert", &[b64(member(&ca, "Cert")), b64(member(&ca, "Key"))]).unwrap();
    assert_eq!(member(&rebuilt, "Cert"), member(&ca, "Cert"));
    if let Ok(dir) = std::env::var("WEIR_SPRIG_CERT_DUMP") {
        std::fs::write(format!("{dir}/ca.pem"), member(&ca, "Cert")).unwrap();
        let leaf = call("genSignedCertWithKey", &[s("leaf"), ips, names, Value::Int(30), ca, s(EC)]).unwrap();
        std::fs::write(format!("{dir}/leaf.pem"), member(&leaf, "Cert")).unwrap();
    }
}

#[test]
fn key_and_certificate_errors() {
    let show = |name: &str, args: &[Value]| format!("{:?}", call(name, args));
    assert!(
        show("genCAWithKey", &[s("x"), Value::Int(1), s("nope")]).contains("parsing private key: no PEM data in input")
    );
    assert!(
        show("genSelfSignedCertWithKey", &[s("x"), Value::list(vec![s("bad")]), Value::Nil, Value::Int(1), s(EC)])
            .contains("error parsing ip: bad")
    );
    assert_eq!(call("genPrivateKey", &[s("x")]).unwrap().to_string(), "Unknown type x");
    assert!(call("genPrivateKey", &[s("ecdsa")]).unwrap().to_string().starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    assert!(call("genPrivateKey", &[s("ed25519")]).unwrap().to_string().starts_with("-----BEGIN PRIVATE KEY-----\n"));
}

/// RSA key generation is slow unoptimised; the workspace builds the
/// big-integer crates optimised even in test builds (Cargo.toml).
#[test]
fn generated_ca_signs_a_certificate() {
    let ca = call("genCA", &[s("ca"), Value::Int(10)]).unwrap();
    let cert = call("genSignedCert", &[s("leaf"), Value::Nil, Value::list(vec![s("a")]), Value::Int(1), ca]).unwrap();
    assert!(member(&cert, "Key").starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    let self_signed = call("genSelfSignedCert", &[s("me"), Value::Nil, Value::Nil, Value::Int(1)]).unwrap();
    assert!(member(&self_signed, "Cert").starts_with("-----BEGIN CERTIFICATE-----\n"));
}
