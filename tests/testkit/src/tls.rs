//! Certificates for TLS servers on loopback: a CA, a server certificate for 127.0.0.1 and
//! localhost, and a client certificate, all signed by the CA, as PEM.

use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, SanType};

#[derive(Clone)]
pub struct Certificates {
    pub ca_pem: String,
    pub server_cert_pem: String,
    pub server_key_pem: String,
    pub client_cert_pem: String,
    pub client_key_pem: String,
}

impl Certificates {
    pub fn generate() -> Self {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // Distinct names: OpenSSL takes a certificate whose issuer is its own subject for self-signed.
        ca_params.distinguished_name = common_name("weir test CA");
        let ca = ca_params.self_signed(&ca_key).expect("CA");
        let issuer = Issuer::new(ca_params, ca_key);
        let server_key = KeyPair::generate().expect("server key");
        let mut server = CertificateParams::new(vec!["localhost".to_owned()]).expect("server params");
        server.distinguished_name = common_name("localhost");
        server.subject_alt_names.push(SanType::IpAddress([127, 0, 0, 1].into()));
        let server_cert = server.signed_by(&server_key, &issuer).expect("server certificate");
        let client_key = KeyPair::generate().expect("client key");
        let mut client = CertificateParams::new(vec!["weir-client".to_owned()]).expect("client params");
        client.distinguished_name = common_name("weir-client");
        let client_cert = client.signed_by(&client_key, &issuer).expect("client certificate");
        Certificates {
            ca_pem: ca.pem(),
            server_cert_pem: server_cert.pem(),
            server_key_pem: server_key.serialize_pem(),
            client_cert_pem: client_cert.pem(),
            client_key_pem: client_key.serialize_pem(),
        }
    }
}

fn common_name(name: &str) -> DistinguishedName {
    let mut distinguished = DistinguishedName::new();
    distinguished.push(DnType::CommonName, name);
    distinguished
}
