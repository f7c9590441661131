//! The `outbound-http` capability: HTTP requests to the origins a call was
//! granted, and nowhere else.
//!
//! The host name is resolved once per request and the connection is pinned
//! to that address, so a name cannot be re-pointed between the check and
//! the connect. Redirects are not followed (a redirect could leave the grant).

use std::fmt;
use std::time::Instant;

use crate::runtime::HostState;
use crate::worlds::notifier::weir::plugin::outbound_http::{self, HttpError, Request, Response};
use crate::worlds::notifier::weir::plugin::types::KeyValue;

/// The largest response body handed to a plugin.
const MAX_RESPONSE_BYTES: usize = 4 << 20;

/// `scheme://host:port`, the unit of an outbound grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of an absolute `http` or `https` URL.
    pub fn of_url(url: &str) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|err| format!("{url:?} is not an absolute URL: {err}"))?;
        Self::of(&parsed)
    }

    fn of(url: &url::Url) -> Result<Self, String> {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return Err(format!("{url} is not an http or https URL"));
        }
        let host = url.host_str().ok_or_else(|| format!("{url} has no host"))?;
        let port = url.port_or_known_default().ok_or_else(|| format!("{url} has no port"))?;
        Ok(Self { scheme: scheme.to_owned(), host: host.to_ascii_lowercase(), port })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// What one call may reach over HTTP.
#[derive(Debug, Clone, Default)]
pub(crate) struct OutboundGrant {
    pub(crate) origins: Vec<Origin>,
    /// Sent through this proxy (`http://` or `https://`), if set.
    pub(crate) proxy: Option<String>,
}

pub(crate) struct Outbound {
    grant: OutboundGrant,
    deadline: Instant,
}

impl Outbound {
    pub(crate) fn new(grant: OutboundGrant, deadline: Instant) -> Self {
        Self { grant, deadline }
    }

    async fn send(&self, request: Request) -> Result<Response, HttpError> {
        let url = url::Url::parse(&request.url)
            .map_err(|err| HttpError::InvalidRequest(format!("{:?} is not an absolute URL: {err}", request.url)))?;
        let origin = Origin::of(&url).map_err(HttpError::InvalidRequest)?;
        if !self.grant.origins.contains(&origin) {
            let granted: Vec<String> = self.grant.origins.iter().map(Origin::to_string).collect();
            return Err(HttpError::Denied(format!(
                "{origin} is not granted to this plugin (granted: {})",
                if granted.is_empty() { "none".to_owned() } else { granted.join(", ") }
            )));
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| HttpError::InvalidRequest(format!("{:?} is not an HTTP method", request.method)))?;
        let client = self.client_for(&origin).await?;
        let mut builder = client.request(method, url).body(request.body);
        for KeyValue { key, value } in request.headers {
            builder = builder.header(key, value);
        }
        let mut response = builder.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(key, value)| KeyValue {
                key: key.to_string(),
                value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(HttpError::Transport(format!("response body larger than {MAX_RESPONSE_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response { status, headers, body })
    }

    /// A client whose connections to `origin` go to the address resolved
    /// now, or through the granted proxy.
    async fn client_for(&self, origin: &Origin) -> Result<reqwest::Client, HttpError> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(remaining);
        match &self.grant.proxy {
            Some(proxy) => {
                let proxy = reqwest::Proxy::all(proxy)
                    .map_err(|err| HttpError::InvalidRequest(format!("proxy {proxy:?}: {err}")))?;
                builder = builder.proxy(proxy);
            }
            None => {
                let address = tokio::net::lookup_host((origin.host.as_str(), origin.port))
                    .await
                    .map_err(|err| HttpError::Transport(format!("cannot resolve {}: {err}", origin.host)))?
                    .next()
                    .ok_or_else(|| HttpError::Transport(format!("{} resolves to no address", origin.host)))?;
                builder = builder.no_proxy().resolve(&origin.host, address);
            }
        }
        builder.build().map_err(transport)
    }
}

fn transport(err: reqwest::Error) -> HttpError {
    // reqwest's Display hides the cause ("error sending request"); the chain has it.
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    HttpError::Transport(message)
}

impl outbound_http::Host for HostState {
    async fn send(&mut self, request: Request) -> Result<Response, HttpError> {
        self.outbound.send(request).await
    }
}
