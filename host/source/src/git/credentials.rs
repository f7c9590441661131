//! Credentials read from a GitRepository's `spec.secretRef`, with Flux's key names.

use std::collections::BTreeMap;
use std::fmt;

/// What a Flux Git secret may hold. Values are kept in memory only: the fetch code hands them to
/// the transport through headers, a private `ssh-agent` or stdin, never through files or logs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct GitCredentials {
    /// `username`, for HTTP basic auth.
    pub username: Option<String>,
    /// `password`: the HTTP basic auth password, or the passphrase of an encrypted `identity`.
    pub password: Option<String>,
    /// `bearerToken`, sent as `Authorization: Bearer <token>`.
    pub bearer_token: Option<String>,
    /// `ca.crt` (or the legacy `caFile`): PEM certificates trusted in addition to the system's.
    pub ca_pem: Option<Vec<u8>>,
    /// `identity`: an SSH private key (OpenSSH or PEM format).
    pub ssh_identity: Option<Vec<u8>>,
    /// `known_hosts`: the SSH host keys to trust; without them no SSH host is trusted.
    pub ssh_known_hosts: Option<Vec<u8>>,
}

impl GitCredentials {
    /// Reads Flux's keys from a Secret's data. Empty values count as absent, as in Flux (Go reads
    /// a missing key as an empty string). `identity.pub` is not needed: the public half is taken
    /// from the private key.
    pub fn from_secret_data(data: &BTreeMap<String, Vec<u8>>) -> Self {
        let bytes = |key: &str| data.get(key).filter(|value| !value.is_empty()).cloned();
        let text = |key: &str| bytes(key).map(|value| String::from_utf8_lossy(&value).into_owned());
        GitCredentials {
            username: text("username"),
            password: text("password"),
            bearer_token: text("bearerToken"),
            ca_pem: bytes("ca.crt").or_else(|| bytes("caFile")),
            ssh_identity: bytes("identity"),
            ssh_known_hosts: bytes("known_hosts"),
        }
    }

    /// The strings that must never appear in a message or log line; used to scrub error text
    /// coming back from transports, which may echo what they were given.
    pub(crate) fn secrets(&self) -> impl Iterator<Item = &str> {
        [self.password.as_deref(), self.bearer_token.as_deref()].into_iter().flatten().filter(|s| s.len() >= 3)
    }
}

/// Shows which credentials are present, never their values (the CA and host keys are public,
/// but only their size is shown to keep log lines short).
impl fmt::Debug for GitCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn redacted<T>(value: &Option<T>) -> &'static str {
            if value.is_some() { "<redacted>" } else { "<none>" }
        }
        fn size(value: &Option<Vec<u8>>) -> String {
            value.as_ref().map_or_else(|| "<none>".to_owned(), |v| format!("<{} bytes>", v.len()))
        }
        f.debug_struct("GitCredentials")
            .field("username", &self.username)
            .field("password", &redacted(&self.password))
            .field("bearer_token", &redacted(&self.bearer_token))
            .field("ca_pem", &size(&self.ca_pem))
            .field("ssh_identity", &redacted(&self.ssh_identity))
            .field("ssh_known_hosts", &size(&self.ssh_known_hosts))
            .finish()
    }
}
