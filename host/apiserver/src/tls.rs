//! TLS on request: a CA generated at start-up signs the server's
//! certificate; the CA goes into the kubeconfig so clients verify the server.

use std::net::IpAddr;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A generated CA and the acceptor for connections under it.
pub struct SelfSignedTls {
    pub acceptor: TlsAcceptor,
    /// The CA certificate, PEM: what clients must trust.
    pub ca_pem: String,
}

fn error(context: &str, error: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("{context}: {error}"))
}

impl SelfSignedTls {
    /// A CA and a server certificate for `localhost`, the loopback addresses and `address`.
    pub fn generate(address: IpAddr) -> std::io::Result<Self> {
        let ca_key = KeyPair::generate().map_err(|e| error("generating the CA key", e))?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| error("CA parameters", e))?;
        ca_params.distinguished_name.push(DnType::CommonName, "weir-ca");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = ca_params.self_signed(&ca_key).map_err(|e| error("signing the CA", e))?;
        let issuer = rcgen::Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate().map_err(|e| error("generating the server key", e))?;
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned()]).map_err(|e| error("server parameters", e))?;
        params.distinguished_name.push(DnType::CommonName, "weir-apiserver");
        let mut addresses = vec![IpAddr::from([127, 0, 0, 1]), IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])];
        if !addresses.contains(&address) && !address.is_unspecified() {
            addresses.push(address);
        }
        params.subject_alt_names.extend(addresses.into_iter().map(SanType::IpAddress));
        let server = params.signed_by(&server_key, &issuer).map_err(|e| error("signing the server certificate", e))?;

        let chain = vec![CertificateDer::from(server.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let config =
            ServerConfig::builder_with_provider(Arc::new(tokio_rustls::rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| error("TLS versions", e))?
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .map_err(|e| error("TLS configuration", e))?;
        let mut config = config;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self { acceptor: TlsAcceptor::from(Arc::new(config)), ca_pem: ca.pem() })
    }
}
