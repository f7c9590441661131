//! TLS for every HTTP client weir runs (Git over HTTPS, Helm chart repositories, OCI
//! registries): rustls with ring (the workspace's provider), the platform's roots plus the CA a
//! Secret adds, and a client certificate when the Secret holds one. One place, so every source
//! trusts alike.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// What a Secret contributes to TLS, as PEM. The key stays in memory only.
#[derive(Clone, Copy, Default)]
pub struct TlsMaterial<'a> {
    /// `ca.crt`: certificates trusted in addition to the platform's.
    pub ca_pem: Option<&'a [u8]>,
    /// `tls.crt` and `tls.key`: the client certificate chain and its private key.
    pub client: Option<(&'a [u8], &'a [u8])>,
}

/// A rustls client configuration for `material`; the error is a sentence naming the Secret key
/// at fault.
pub fn client_config(material: TlsMaterial<'_>) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = match material.ca_pem {
        Some(pem) => {
            let certificates = certificates(pem, "ca.crt")?;
            rustls_platform_verifier::Verifier::new_with_extra_roots(certificates, Arc::clone(&provider))
        }
        None => rustls_platform_verifier::Verifier::new(Arc::clone(&provider)),
    }
    .map_err(|error| format!("TLS set-up failed: {error}"))?;
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("TLS set-up failed: {error}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    match material.client {
        None => Ok(builder.with_no_client_auth()),
        Some((chain, key)) => {
            let chain = certificates(chain, "tls.crt")?;
            let key = PrivateKeyDer::from_pem_slice(key)
                .map_err(|error| format!("invalid private key in tls.key: {error}"))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|error| format!("tls.crt and tls.key do not make a client certificate: {error}"))
        }
    }
}

fn certificates(pem: &[u8], key: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("invalid certificate in {key}: {error}"))?;
    if certificates.is_empty() {
        return Err(format!("{key} holds no PEM certificate"));
    }
    Ok(certificates)
}
