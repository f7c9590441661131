//! An HTTP(S) chart repository: its index and the archives it lists.

use std::io::Read;
use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::{Client, Response};

use super::index::MAX_INDEX_SIZE;
use super::{HelmCredentials, HelmError};

/// Flux's limit on a downloaded chart (`--helm-chart-max-size`'s default).
pub const MAX_CHART_SIZE: usize = 10 * 1024 * 1024;

/// One repository, with the client, credentials and deadline of one reconciliation.
pub struct ChartRepository {
    url: Url,
    client: Client,
    credentials: HelmCredentials,
    pass_credentials: bool,
}

impl ChartRepository {
    /// A repository at `url` (`http://` or `https://`). `pass_credentials` sends basic auth to
    /// chart URLs on other hosts too (Helm sends it only to the repository's own host).
    pub fn new(
        url: &str,
        credentials: HelmCredentials,
        pass_credentials: bool,
        timeout: Duration,
    ) -> Result<Self, HelmError> {
        let invalid = |message: String| HelmError::Url { url: url.to_owned(), message };
        let parsed = Url::parse(url).map_err(|error| invalid(error.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid(format!("scheme '{}' is not supported, use http or https", parsed.scheme())));
        }
        let tls = credentials.tls().and_then(weir_tls::client_config).map_err(HelmError::Credentials)?;
        let client = Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(timeout)
            .user_agent(concat!("weir-source/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| HelmError::Credentials(format!("HTTP client set-up failed: {error}")))?;
        Ok(ChartRepository { url: parsed, client, credentials, pass_credentials })
    }

    /// Downloads `index.yaml` (at the repository URL's path joined with it, as Flux does).
    pub fn fetch_index(&self) -> Result<Vec<u8>, HelmError> {
        let mut index = self.url.clone();
        let path = format!("{}/index.yaml", self.url.path().trim_end_matches('/'));
        index.set_path(&path);
        self.get(&index, MAX_INDEX_SIZE, "index")
    }

    /// Downloads a chart archive listed as `reference` (absolute, or relative to the repository
    /// URL as Helm's `ResolveReferenceURL` reads it), checking `digest` (hex SHA-256) if given.
    pub fn download_chart(&self, reference: &str, digest: Option<&str>) -> Result<Vec<u8>, HelmError> {
        let url = self.resolve(reference)?;
        let bytes = self.get(&url, MAX_CHART_SIZE, "chart")?;
        if let Some(expected) = digest {
            use sha2::Digest as _;
            let actual = hex::encode(sha2::Sha256::digest(&bytes));
            if !actual.eq_ignore_ascii_case(expected) {
                return Err(HelmError::Fetch {
                    url: redact(&url),
                    message: format!("digest mismatch: the index says sha256 {expected}, the download is {actual}"),
                });
            }
        }
        Ok(bytes)
    }

    fn resolve(&self, reference: &str) -> Result<Url, HelmError> {
        if let Ok(absolute) = Url::parse(reference) {
            return Ok(absolute);
        }
        let mut base = self.url.clone();
        base.set_path(&format!("{}/", self.url.path().trim_end_matches('/')));
        let mut resolved = base
            .join(reference)
            .map_err(|error| HelmError::Url { url: reference.to_owned(), message: error.to_string() })?;
        resolved.set_query(self.url.query());
        Ok(resolved)
    }

    fn get(&self, url: &Url, limit: usize, what: &str) -> Result<Vec<u8>, HelmError> {
        let mut request = self.client.get(url.clone());
        let same_origin = url.scheme() == self.url.scheme()
            && url.host_str() == self.url.host_str()
            && url.port_or_known_default() == self.url.port_or_known_default();
        if let Some((username, password)) =
            self.credentials.basic_auth().filter(|_| same_origin || self.pass_credentials)
        {
            request = request.basic_auth(username, Some(password));
        }
        let fetch_error = |message: String| HelmError::Fetch { url: redact(url), message: self.scrub(message) };
        let response = request.send().map_err(|error| fetch_error(describe(&error)))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(HelmError::Unauthorized { url: redact(url), status: status.to_string() });
        }
        if !status.is_success() {
            return Err(fetch_error(status.to_string()));
        }
        read_limited(response, limit).map_err(|error| match error {
            Limited::TooLarge => fetch_error(format!("the {what} exceeds the maximum size of {limit} bytes")),
            Limited::Io(error) => fetch_error(error.to_string()),
        })
    }

    fn scrub(&self, mut message: String) -> String {
        for secret in self.credentials.secrets() {
            message = message.replace(secret, "*****");
        }
        message
    }
}

enum Limited {
    TooLarge,
    Io(std::io::Error),
}

fn read_limited(response: Response, limit: usize) -> Result<Vec<u8>, Limited> {
    let mut bytes = Vec::new();
    response.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(Limited::Io)?;
    if bytes.len() > limit { Err(Limited::TooLarge) } else { Ok(bytes) }
}

/// reqwest's error with its causes, which hold the useful part (connection refused, …).
fn describe(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    message
}

/// A URL without user info, for messages.
fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository(url: &str) -> ChartRepository {
        ChartRepository::new(url, HelmCredentials::default(), false, Duration::from_secs(1)).unwrap()
    }

    #[test]
    fn chart_references_resolve_as_helm_resolves_them() {
        let repo = repository("https://charts.example/stable?token=t");
        let resolved = |reference: &str| repo.resolve(reference).unwrap().to_string();
        assert_eq!(resolved("podinfo-1.0.0.tgz"), "https://charts.example/stable/podinfo-1.0.0.tgz?token=t");
        assert_eq!(
            resolved("charts/podinfo-1.0.0.tgz"),
            "https://charts.example/stable/charts/podinfo-1.0.0.tgz?token=t"
        );
        assert_eq!(resolved("https://cdn.example/p.tgz"), "https://cdn.example/p.tgz");
    }

    #[test]
    fn only_http_and_https_are_repositories() {
        let error = ChartRepository::new("oci://ghcr.io/x", HelmCredentials::default(), false, Duration::from_secs(1));
        assert!(matches!(error, Err(HelmError::Url { .. })));
    }
}
