//! The `outbound-http` capability: HTTP requests to the origins a call was
//! granted, and nowhere else. Both package versions' interfaces are served
//! by one client; 0.1's errors are 0.2's codes as 0.1 variants.
//!
//! The host name is resolved once per request and the connection is pinned
//! to that address, so a name cannot be re-pointed between the check and
//! the connect. Redirects are not followed (a redirect could leave the grant).

use std::fmt;
use std::time::Instant;

use wasmtime::component::{HasSelf, Linker};

use super::{Capability, HostState};
use crate::wit::types::{Error, ErrorCode, KeyValue};

pub(crate) mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.0",
        interfaces: "import weir:plugin/outbound-http@0.2.0;",
        imports: { default: async },
        with: { "weir:plugin/types": crate::wit::types },
    });
}

pub(crate) mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.1.0",
        interfaces: "import weir:plugin/outbound-http@0.1.0;",
        imports: { default: async },
        with: { "weir:plugin/types": crate::wit::v0_1::weir::plugin::types },
    });
}

use v0_2::weir::plugin::outbound_http::{Request, Response};

/// `outbound-http`, both versions, limited to [`OutboundGrant`].
pub(crate) struct OutboundHttp;

impl Capability for OutboundHttp {
    fn link(&self, linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
        v0_2::weir::plugin::outbound_http::add_to_linker::<_, HasSelf<HostState>>(linker, |state| state)?;
        v0_1::weir::plugin::outbound_http::add_to_linker::<_, HasSelf<HostState>>(linker, |state| state)
    }
}

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

/// One call's grant, and the deadline its requests must finish by.
pub(crate) struct CallState {
    grant: OutboundGrant,
    deadline: Instant,
}

impl CallState {
    pub(crate) fn new(grant: OutboundGrant, deadline: Instant) -> Self {
        Self { grant, deadline }
    }

    async fn send(&self, request: Request) -> Result<Response, Error> {
        let invalid = |message| Error::new(ErrorCode::InvalidInput, message);
        let url = url::Url::parse(&request.url)
            .map_err(|err| invalid(format!("{:?} is not an absolute URL: {err}", request.url)))?;
        let origin = Origin::of(&url).map_err(invalid)?;
        if !self.grant.origins.contains(&origin) {
            let granted: Vec<String> = self.grant.origins.iter().map(Origin::to_string).collect();
            return Err(Error::new(
                ErrorCode::Denied,
                format!(
                    "{origin} is not granted to this plugin (granted: {})",
                    if granted.is_empty() { "none".to_owned() } else { granted.join(", ") }
                ),
            ));
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| invalid(format!("{:?} is not an HTTP method", request.method)))?;
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
                return Err(unavailable(format!("response body larger than {MAX_RESPONSE_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response { status, headers, body })
    }

    /// A client whose connections to `origin` go to the address resolved
    /// now, or through the granted proxy.
    async fn client_for(&self, origin: &Origin) -> Result<reqwest::Client, Error> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(remaining);
        match &self.grant.proxy {
            Some(proxy) => {
                let proxy = reqwest::Proxy::all(proxy)
                    .map_err(|err| Error::new(ErrorCode::InvalidInput, format!("proxy {proxy:?}: {err}")))?;
                builder = builder.proxy(proxy);
            }
            None => {
                let address = tokio::net::lookup_host((origin.host.as_str(), origin.port))
                    .await
                    .map_err(|err| unavailable(format!("cannot resolve {}: {err}", origin.host)))?
                    .next()
                    .ok_or_else(|| unavailable(format!("{} resolves to no address", origin.host)))?;
                builder = builder.no_proxy().resolve(&origin.host, address);
            }
        }
        builder.build().map_err(transport)
    }
}

fn unavailable(message: String) -> Error {
    Error::new(ErrorCode::Unavailable, message)
}

fn transport(err: reqwest::Error) -> Error {
    // reqwest's Display hides the cause ("error sending request"); the chain has it.
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    unavailable(message)
}

impl v0_2::weir::plugin::outbound_http::Host for HostState {
    async fn send(&mut self, request: Request) -> Result<Response, Error> {
        self.outbound.send(request).await
    }
}

impl v0_1::weir::plugin::outbound_http::Host for HostState {
    async fn send(
        &mut self,
        request: v0_1::weir::plugin::outbound_http::Request,
    ) -> Result<v0_1::weir::plugin::outbound_http::Response, v0_1::weir::plugin::outbound_http::HttpError> {
        use crate::wit::v0_1::weir::plugin::types::KeyValue as KeyValue01;
        use v0_1::weir::plugin::outbound_http::{HttpError, Response as Response01};
        let headers = request.headers.into_iter().map(|KeyValue01 { key, value }| KeyValue { key, value }).collect();
        let request = Request { method: request.method, url: request.url, headers, body: request.body };
        match self.outbound.send(request).await {
            Ok(Response { status, headers, body }) => {
                let headers = headers.into_iter().map(|KeyValue { key, value }| KeyValue01 { key, value }).collect();
                Ok(Response01 { status, headers, body })
            }
            Err(Error { code: ErrorCode::Denied, message, .. }) => Err(HttpError::Denied(message)),
            Err(Error { code: ErrorCode::InvalidInput, message, .. }) => Err(HttpError::InvalidRequest(message)),
            Err(Error { message, .. }) => Err(HttpError::Transport(message)),
        }
    }
}
