//! Credentials read from a HelmRepository's `secretRef` and `certSecretRef`, with Flux's keys.

use std::collections::BTreeMap;
use std::fmt;

use weir_tls::TlsMaterial;

/// Basic auth and TLS for a chart repository. In memory only: handed to the HTTP client,
/// never written or logged.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HelmCredentials {
    /// `username` and `password`, for HTTP basic auth.
    pub username: Option<String>,
    pub password: Option<String>,
    /// `ca.crt`: certificates trusted in addition to the platform's.
    pub ca_pem: Option<Vec<u8>>,
    /// `tls.crt` and `tls.key`: a client certificate.
    pub cert_pem: Option<Vec<u8>>,
    pub key_pem: Option<Vec<u8>>,
}

impl HelmCredentials {
    /// Reads `secretRef` (basic auth; TLS keys too, as Flux still accepts them there, deprecated)
    /// and `certSecretRef` (TLS, which wins). Empty values count as absent, as in Flux.
    pub fn from_secrets(auth: Option<&BTreeMap<String, Vec<u8>>>, cert: Option<&BTreeMap<String, Vec<u8>>>) -> Self {
        let bytes = |data: Option<&BTreeMap<String, Vec<u8>>>, key: &str| {
            data.and_then(|data| data.get(key)).filter(|value| !value.is_empty()).cloned()
        };
        let text = |key: &str| bytes(auth, key).map(|value| String::from_utf8_lossy(&value).into_owned());
        let tls = |key: &str| bytes(cert, key).or_else(|| bytes(auth, key));
        let (cert_pem, key_pem) = match cert.filter(|_| bytes(cert, "tls.crt").is_some()) {
            // A client certificate comes whole from one Secret.
            Some(_) => (bytes(cert, "tls.crt"), bytes(cert, "tls.key")),
            None => (bytes(auth, "tls.crt"), bytes(auth, "tls.key")),
        };
        HelmCredentials {
            username: text("username"),
            password: text("password"),
            ca_pem: tls("ca.crt"),
            cert_pem,
            key_pem,
        }
    }

    pub(crate) fn tls(&self) -> Result<TlsMaterial<'_>, String> {
        let client = match (&self.cert_pem, &self.key_pem) {
            (Some(cert), Some(key)) => Some((cert.as_slice(), key.as_slice())),
            (None, None) => None,
            _ => return Err("a client certificate needs both tls.crt and tls.key".into()),
        };
        Ok(TlsMaterial { ca_pem: self.ca_pem.as_deref(), client })
    }

    /// Basic auth, when both halves are given (Helm sends none otherwise).
    pub(crate) fn basic_auth(&self) -> Option<(&str, &str)> {
        match (&self.username, &self.password) {
            (Some(username), Some(password)) => Some((username, password)),
            _ => None,
        }
    }

    /// Strings that must never appear in a message.
    pub(crate) fn secrets(&self) -> impl Iterator<Item = &str> {
        self.password.as_deref().into_iter().filter(|secret| secret.len() >= 3)
    }
}

/// Shows which credentials are present, never their values.
impl fmt::Debug for HelmCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let present = |value: bool| if value { "<redacted>" } else { "<none>" };
        f.debug_struct("HelmCredentials")
            .field("username", &self.username)
            .field("password", &present(self.password.is_some()))
            .field("ca_pem", &present(self.ca_pem.is_some()))
            .field("cert_pem", &present(self.cert_pem.is_some()))
            .field("key_pem", &present(self.key_pem.is_some()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs.iter().map(|(key, value)| (key.to_string(), value.as_bytes().to_vec())).collect()
    }

    #[test]
    fn the_cert_secret_wins_for_tls_and_the_auth_secret_gives_basic_auth() {
        let auth = data(&[("username", "u"), ("password", "secret"), ("ca.crt", "old-ca")]);
        let cert = data(&[("ca.crt", "new-ca"), ("tls.crt", "c"), ("tls.key", "k")]);
        let credentials = HelmCredentials::from_secrets(Some(&auth), Some(&cert));
        assert_eq!(credentials.basic_auth(), Some(("u", "secret")));
        assert_eq!(credentials.ca_pem.as_deref(), Some(&b"new-ca"[..]));
        assert_eq!(credentials.cert_pem.as_deref(), Some(&b"c"[..]));
        assert!(!format!("{credentials:?}").contains("secret"), "the password is never shown");
    }

    #[test]
    fn half_a_client_certificate_or_half_basic_auth_is_not_used() {
        let credentials = HelmCredentials::from_secrets(Some(&data(&[("username", "u"), ("tls.crt", "c")])), None);
        assert_eq!(credentials.basic_auth(), None);
        assert!(credentials.tls().is_err());
    }
}
