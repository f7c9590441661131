//! The distribution API client: requests with auth and retries, manifests, tags, blobs, pushes.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::blocking::{Body, RequestBuilder, Response};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use sha2::Digest as _;

use crate::auth::{Challenge, Credentials, TokenResponse, next_link, parse_challenges};
use crate::reference::validate_digest;
use crate::{Reference, RegistryError};

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest v2 schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// What a manifest request accepts.
pub const MANIFEST_MEDIA_TYPES: [&str; 4] = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST];

/// The largest manifest read (distribution's own limit is 4 MiB).
const MANIFEST_LIMIT: u64 = 4 << 20;
/// The largest tag list page read.
const TAG_PAGE_LIMIT: u64 = 16 << 20;
/// How many tag pages are followed at most.
const MAX_TAG_PAGES: usize = 10_000;
/// The longest wait a `Retry-After` gets.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The first retry's backoff; each further retry doubles it.
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const CHUNK: usize = 64 << 10;

/// How a [`RegistryClient`] connects and authenticates.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The TLS configuration; `None` is the platform's roots ([`weir_tls::client_config`] with
    /// no material).
    pub tls: Option<rustls::ClientConfig>,
    /// Plain `http://` (Flux's `insecure`).
    pub plain_http: bool,
    /// Basic credentials: sent on a `Basic` challenge, or to the token service on a `Bearer` one.
    pub credentials: Option<Credentials>,
    /// The connect timeout, and the longest wait for an answer or for each read of a body (a
    /// blob upload gets one more second per MiB).
    pub timeout: Duration,
    pub user_agent: String,
    /// Retries of a request answered 429 or 5xx, or failing to connect.
    pub max_retries: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            tls: None,
            plain_http: false,
            credentials: None,
            timeout: Duration::from_secs(60),
            user_agent: concat!("weir/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_retries: 3,
        }
    }
}

/// A manifest (or index) as the registry served it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// `sha256:<hex>` of `bytes`.
    pub digest: String,
    /// The `Content-Type` it was served with (or its `mediaType` field when the registry gave none).
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl Manifest {
    /// Whether it is an OCI image index or a Docker manifest list.
    pub fn is_index(&self) -> bool {
        self.media_type == OCI_INDEX || self.media_type == DOCKER_MANIFEST_LIST
    }

    /// The body as an image manifest (OCI or Docker v2, which share the shape).
    pub fn image_manifest(&self) -> Result<oci_spec::image::ImageManifest, RegistryError> {
        if self.is_index() {
            return Err(self.invalid(format!("it is an index ({}), not an image manifest", self.media_type)));
        }
        serde_json::from_slice(&self.bytes).map_err(|error| self.invalid(error.to_string()))
    }

    /// The body as an image index (OCI or a Docker manifest list).
    pub fn image_index(&self) -> Result<oci_spec::image::ImageIndex, RegistryError> {
        if !self.is_index() {
            return Err(self.invalid(format!("it is an image manifest ({}), not an index", self.media_type)));
        }
        serde_json::from_slice(&self.bytes).map_err(|error| self.invalid(error.to_string()))
    }

    fn invalid(&self, reason: String) -> RegistryError {
        RegistryError::InvalidManifest { what: format!("manifest {}", self.digest), reason }
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Action {
    Pull,
    Push,
}

impl Action {
    fn scope(self, repository: &str) -> String {
        match self {
            Action::Pull => format!("repository:{repository}:pull"),
            Action::Push => format!("repository:{repository}:pull,push"),
        }
    }
}

#[derive(Clone)]
enum Auth {
    Anonymous,
    Basic,
    Bearer(String),
}

/// A client of one or more registries, with one connection pool, TLS configuration and set of
/// credentials. Blocking: call it from `spawn_blocking`. Tokens are cached per registry and
/// scope until they expire.
pub struct RegistryClient {
    http: reqwest::blocking::Client,
    plain_http: bool,
    credentials: Option<Credentials>,
    timeout: Duration,
    max_retries: u32,
    tokens: Mutex<HashMap<(String, String), (String, Instant)>>,
    /// Registries that answered with a `Basic` challenge.
    basic: Mutex<HashSet<String>>,
    retried: AtomicU64,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("plain_http", &self.plain_http)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl RegistryClient {
    pub fn new(options: ClientOptions) -> Result<Self, RegistryError> {
        let tls = match options.tls {
            Some(tls) => tls,
            None => weir_tls::client_config(weir_tls::TlsMaterial::default()).map_err(RegistryError::Config)?,
        };
        let http = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(tls)
            .user_agent(options.user_agent)
            .connect_timeout(options.timeout)
            .timeout(options.timeout)
            .build()
            .map_err(|error| RegistryError::Config(format!("HTTP client set-up failed: {}", chain(&error))))?;
        Ok(RegistryClient {
            http,
            plain_http: options.plain_http,
            credentials: options.credentials,
            timeout: options.timeout,
            max_retries: options.max_retries,
            tokens: Mutex::new(HashMap::new()),
            basic: Mutex::new(HashSet::new()),
            retried: AtomicU64::new(0),
        })
    }

    /// How many requests this client has retried (after 429, 5xx or a failed connection).
    pub fn retries(&self) -> u64 {
        self.retried.load(Ordering::Relaxed)
    }

    /// Every tag of the repository, page by page: asks for `n=1000` and follows
    /// `Link: <...>; rel="next"` (relative or absolute) until there is none.
    pub fn tags(&self, repository: &Reference) -> Result<Vec<String>, RegistryError> {
        #[derive(serde::Deserialize)]
        struct TagList {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let first = format!("{}?n=1000", self.url(repository, "tags/list"));
        let mut url = Url::parse(&first).map_err(|error| invalid_url(&first, error))?;
        let mut tags = Vec::new();
        let mut seen = HashSet::new();
        for _ in 0..MAX_TAG_PAGES {
            let response = self.send(repository, Action::Pull, Method::GET, url.as_str(), &HeaderMap::new(), None)?;
            let response = self.expect(repository, &Method::GET, url.as_str(), response, &[StatusCode::OK])?;
            let next = response.headers().get(header::LINK).and_then(|v| v.to_str().ok()).and_then(next_link);
            let body = read_limited(response, TAG_PAGE_LIMIT, &Method::GET, url.as_str())?;
            let list: TagList = serde_json::from_slice(&body).map_err(|error| RegistryError::InvalidResponse {
                what: format!("GET {url}: tag list"),
                reason: error.to_string(),
            })?;
            tags.extend(list.tags.unwrap_or_default());
            let Some(next) = next else { return Ok(tags) };
            let next = url.join(&next).map_err(|error| invalid_url(&next, error))?;
            if !seen.insert(next.to_string()) {
                return Ok(tags);
            }
            url = next;
        }
        Ok(tags)
    }

    /// The manifest by digest when the reference has one, else by tag (`latest` without
    /// either). Its digest is the sha256 of the body; fetched by digest, the body must match.
    pub fn manifest(&self, reference: &Reference) -> Result<Manifest, RegistryError> {
        let url = self.url(reference, &format!("manifests/{}", reference.manifest_reference()));
        let response = self.send(reference, Action::Pull, Method::GET, &url, &accept_manifests(), None)?;
        let response = self.expect(reference, &Method::GET, &url, response, &[StatusCode::OK])?;
        let announced = header_string(&response, "docker-content-digest");
        let content_type = header_string(&response, header::CONTENT_TYPE.as_str());
        let bytes = read_limited(response, MANIFEST_LIMIT, &Method::GET, &url)?;
        let digest = sha256_digest(&bytes);
        if let Some(expected) = &reference.digest {
            if expected.starts_with("sha256:") && *expected != digest {
                return Err(mismatch(format!("manifest {reference} (GET {url})"), expected, &digest));
            }
            if !expected.starts_with("sha256:") {
                verify(expected, &bytes, || format!("manifest {reference} (GET {url})"))?;
            }
        } else if let Some(announced) = announced.filter(|d| d.starts_with("sha256:"))
            && announced != digest
        {
            return Err(mismatch(
                format!("manifest {reference} (GET {url}, Docker-Content-Digest)"),
                &announced,
                &digest,
            ));
        }
        let media_type = content_type
            .map(|value| value.split(';').next().unwrap_or_default().trim().to_owned())
            .filter(|value| !value.is_empty() && value != "application/json" && value != "text/plain")
            .or_else(|| body_media_type(&bytes))
            .ok_or_else(|| RegistryError::InvalidManifest {
                what: format!("manifest {reference} (GET {url})"),
                reason: "no media type in the answer or the body".to_owned(),
            })?;
        Ok(Manifest { digest, media_type, bytes })
    }

    /// The manifest's digest from a HEAD (`Docker-Content-Digest`); `None` when it does not
    /// exist. A registry that does not say gets a GET.
    pub fn manifest_digest(&self, reference: &Reference) -> Result<Option<String>, RegistryError> {
        let url = self.url(reference, &format!("manifests/{}", reference.manifest_reference()));
        let response = self.send(reference, Action::Pull, Method::HEAD, &url, &accept_manifests(), None)?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let response = self.expect(reference, &Method::HEAD, &url, response, &[StatusCode::OK])?;
        match header_string(&response, "docker-content-digest").filter(|digest| validate_digest(digest).is_ok()) {
            Some(digest) => Ok(Some(digest)),
            None => match self.manifest(reference) {
                Ok(manifest) => Ok(Some(manifest.digest)),
                Err(error) if error.is_not_found() => Ok(None),
                Err(error) => Err(error),
            },
        }
    }

    /// Streams blob `digest` of the repository into `sink`, following redirects (registries send
    /// blobs from their storage), verifying the digest on the way; returns its size. On a
    /// mismatch the sink has had the (wrong) bytes: the caller discards them.
    pub fn blob(&self, reference: &Reference, digest: &str, sink: &mut dyn Write) -> Result<u64, RegistryError> {
        self.blob_into(reference, digest, sink, None)
    }

    /// A small blob (a config, a signature) in memory; refuses one larger than `limit` bytes.
    pub fn blob_bytes(&self, reference: &Reference, digest: &str, limit: u64) -> Result<Vec<u8>, RegistryError> {
        let mut bytes = Vec::new();
        self.blob_into(reference, digest, &mut bytes, Some(limit))?;
        Ok(bytes)
    }

    fn blob_into(
        &self,
        reference: &Reference,
        digest: &str,
        sink: &mut dyn Write,
        limit: Option<u64>,
    ) -> Result<u64, RegistryError> {
        let mut hasher = Hasher::new(digest)?;
        let url = self.url(reference, &format!("blobs/{digest}"));
        let response = self.send(reference, Action::Pull, Method::GET, &url, &HeaderMap::new(), None)?;
        let mut response = self.expect(reference, &Method::GET, &url, response, &[StatusCode::OK])?;
        if let (Some(limit), Some(length)) = (limit, response.content_length())
            && length > limit
        {
            return Err(RegistryError::TooLarge { url, limit });
        }
        let mut buffer = vec![0; CHUNK];
        let mut total = 0u64;
        loop {
            let read = match response.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(RegistryError::Io { context: format!("GET {url}: reading the blob"), source });
                }
            };
            total += read as u64;
            if limit.is_some_and(|limit| total > limit) {
                return Err(RegistryError::TooLarge { url, limit: limit.unwrap_or_default() });
            }
            hasher.update(&buffer[..read]);
            sink.write_all(&buffer[..read]).map_err(|source| RegistryError::Io {
                context: format!("writing blob {digest} of {reference}"),
                source,
            })?;
        }
        let actual = hasher.finish();
        if actual != digest {
            return Err(mismatch(
                format!("blob {digest} of {} (GET {url})", reference.repository_name()),
                digest,
                &actual,
            ));
        }
        Ok(total)
    }

    /// Uploads `size` bytes from `data` as blob `digest`, unless the repository has it: a HEAD,
    /// then a POST for an upload session and one PUT `?digest=` with the body streamed. The
    /// stream is not replayed, so the PUT itself is not retried.
    pub fn push_blob(
        &self,
        reference: &Reference,
        data: &mut dyn Read,
        size: u64,
        digest: &str,
    ) -> Result<(), RegistryError> {
        Hasher::new(digest)?;
        let url = self.url(reference, &format!("blobs/{digest}"));
        let response = self.send(reference, Action::Push, Method::HEAD, &url, &HeaderMap::new(), None)?;
        if response.status() == StatusCode::OK {
            return Ok(());
        }
        if response.status() != StatusCode::NOT_FOUND {
            return Err(self.status_error(reference, &Method::HEAD, &url, response));
        }
        let uploads = self.url(reference, "blobs/uploads/");
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
        let response = self.send(reference, Action::Push, Method::POST, &uploads, &headers, Some(&[]))?;
        let response = self.expect(reference, &Method::POST, &uploads, response, &[StatusCode::ACCEPTED])?;
        let location =
            header_string(&response, header::LOCATION.as_str()).ok_or_else(|| RegistryError::InvalidResponse {
                what: format!("POST {uploads}"),
                reason: "the upload session has no Location".to_owned(),
            })?;
        let base = Url::parse(&uploads).map_err(|error| invalid_url(&uploads, error))?;
        let mut upload = base.join(&location).map_err(|error| invalid_url(&location, error))?;
        upload.query_pairs_mut().append_pair("digest", digest);
        self.put_streamed(reference, upload, data, size, digest)
    }

    fn put_streamed(
        &self,
        reference: &Reference,
        url: Url,
        data: &mut dyn Read,
        size: u64,
        digest: &str,
    ) -> Result<(), RegistryError> {
        let shown = without_query(&url);
        let mut hasher = Hasher::new(digest)?;
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let request = self
            .authorize(self.http.put(url), &self.cached_auth(reference, Action::Push))
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .timeout(self.timeout + Duration::from_secs(size >> 20))
            .body(Body::sized(ChannelReader { receiver, chunk: Vec::new(), at: 0 }, size));
        let (data_problem, complete, outcome) = std::thread::scope(|scope| {
            let sending = scope.spawn(move || request.send());
            let mut buffer = vec![0; CHUNK];
            let mut sent = 0u64;
            let mut problem = None;
            let mut complete = false;
            loop {
                match data.read(&mut buffer) {
                    Ok(0) => {
                        complete = sent == size;
                        if sent < size {
                            problem = Some(std::io::Error::other(format!(
                                "the data ended after {sent} bytes, not the {size} announced"
                            )));
                        }
                        break;
                    }
                    Ok(read) => {
                        sent += read as u64;
                        if sent > size {
                            problem = Some(std::io::Error::other(format!(
                                "the data has more than the {size} bytes announced"
                            )));
                            break;
                        }
                        hasher.update(&buffer[..read]);
                        // The request ended (the registry answered early, or the connection failed):
                        // its outcome says why.
                        if sender.send(buffer[..read].to_vec()).is_err() {
                            break;
                        }
                    }
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(error) => {
                        problem = Some(error);
                        break;
                    }
                }
            }
            // Ends the body: short of `size` if the data was, which fails the request.
            drop(sender);
            (problem, complete, sending.join().expect("the upload thread does not panic"))
        });
        if let Some(source) = data_problem {
            return Err(RegistryError::Io {
                context: format!("PUT {shown}: reading blob {digest} for {reference}"),
                source,
            });
        }
        match outcome {
            Ok(response) if response.status() == StatusCode::CREATED => Ok(()),
            Ok(response) => {
                // All the data went out: a wrong digest is ours to name, more precisely than the
                // registry's DIGEST_INVALID.
                let actual = hasher.finish();
                if complete && actual != digest {
                    return Err(mismatch(format!("blob for {reference} (PUT {shown})"), digest, &actual));
                }
                Err(self.status_error(reference, &Method::PUT, &shown, response))
            }
            Err(error) => Err(transport_error(&Method::PUT, &shown, error)),
        }
    }

    /// Uploads a manifest under the reference's tag (or its digest, which must be the bytes');
    /// returns its digest.
    pub fn push_manifest(
        &self,
        reference: &Reference,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, RegistryError> {
        let digest = sha256_digest(bytes);
        let target = match (&reference.tag, &reference.digest) {
            (_, Some(expected)) => {
                verify(expected, bytes, || format!("manifest for {reference}"))?;
                expected.clone()
            }
            (Some(tag), None) => tag.clone(),
            (None, None) => {
                return Err(RegistryError::InvalidReference {
                    text: reference.to_string(),
                    reason: "a manifest is pushed to a tag or a digest".to_owned(),
                });
            }
        };
        let url = self.url(reference, &format!("manifests/{target}"));
        let mut headers = HeaderMap::new();
        let content_type = HeaderValue::from_str(media_type).map_err(|_| RegistryError::InvalidManifest {
            what: format!("manifest for {reference}"),
            reason: format!("media type {media_type:?} is not a header value"),
        })?;
        headers.insert(header::CONTENT_TYPE, content_type);
        let response = self.send(reference, Action::Push, Method::PUT, &url, &headers, Some(bytes))?;
        let response = self.expect(reference, &Method::PUT, &url, response, &[StatusCode::CREATED, StatusCode::OK])?;
        if let Some(announced) = header_string(&response, "docker-content-digest").filter(|d| d.starts_with("sha256:"))
            && announced != digest
        {
            return Err(mismatch(
                format!("manifest for {reference} (PUT {url}, Docker-Content-Digest)"),
                &announced,
                &digest,
            ));
        }
        Ok(digest)
    }

    fn url(&self, reference: &Reference, path: &str) -> String {
        let scheme = if self.plain_http { "http" } else { "https" };
        format!("{scheme}://{}/v2/{}/{path}", reference.api_host(), reference.repository)
    }

    /// Sends with what auth is known for the registry and scope, answers a 401's challenge
    /// once, and retries 429, 5xx and failed connections. Any answer but 401/403 is returned.
    fn send(
        &self,
        reference: &Reference,
        action: Action,
        method: Method,
        url: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
    ) -> Result<Response, RegistryError> {
        let build = |auth: &Auth| {
            let mut request = self.http.request(method.clone(), url).headers(headers.clone());
            if let Some(body) = body {
                request = request.body(body.to_vec());
            }
            self.authorize(request, auth)
        };
        let auth = self.cached_auth(reference, action);
        let response = self.send_retrying(&method, url, || build(&auth))?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return self.refused(reference, &method, url, response);
        }
        let auth = self.answer_challenge(reference, action, &method, url, response)?;
        let response = self.send_retrying(&method, url, || build(&auth))?;
        self.refused(reference, &method, url, response)
    }

    fn refused(
        &self,
        reference: &Reference,
        method: &Method,
        url: &str,
        response: Response,
    ) -> Result<Response, RegistryError> {
        match response.status() {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                Err(self.status_error(reference, method, url, response))
            }
            _ => Ok(response),
        }
    }

    fn cached_auth(&self, reference: &Reference, action: Action) -> Auth {
        let key = (reference.registry.clone(), action.scope(&reference.repository));
        let mut tokens = self.tokens.lock().expect("token cache");
        match tokens.get(&key) {
            Some((token, until)) if Instant::now() < *until => return Auth::Bearer(token.clone()),
            Some(_) => {
                tokens.remove(&key);
            }
            None => {}
        }
        drop(tokens);
        if self.credentials.is_some() && self.basic.lock().expect("basic registries").contains(&reference.registry) {
            Auth::Basic
        } else {
            Auth::Anonymous
        }
    }

    fn authorize(&self, request: RequestBuilder, auth: &Auth) -> RequestBuilder {
        match (auth, &self.credentials) {
            (Auth::Bearer(token), _) => request.bearer_auth(token),
            (Auth::Basic, Some(credentials)) => request.basic_auth(&credentials.username, Some(&credentials.password)),
            _ => request,
        }
    }

    /// What a 401's `WWW-Authenticate` asks for: a token (fetched and cached) or the credentials.
    fn answer_challenge(
        &self,
        reference: &Reference,
        action: Action,
        method: &Method,
        url: &str,
        response: Response,
    ) -> Result<Auth, RegistryError> {
        let challenges: Vec<Challenge> = response
            .headers()
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(parse_challenges)
            .collect();
        if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer" && c.param("realm").is_some()) {
            let (token, lifetime) = self.fetch_token(reference, action, bearer)?;
            let key = (reference.registry.clone(), action.scope(&reference.repository));
            self.tokens.lock().expect("token cache").insert(key, (token.clone(), Instant::now() + lifetime));
            return Ok(Auth::Bearer(token));
        }
        if challenges.iter().any(|c| c.scheme == "basic") && self.credentials.is_some() {
            self.basic.lock().expect("basic registries").insert(reference.registry.clone());
            return Ok(Auth::Basic);
        }
        Err(self.status_error(reference, method, url, response))
    }

    fn fetch_token(
        &self,
        reference: &Reference,
        action: Action,
        challenge: &Challenge,
    ) -> Result<(String, Duration), RegistryError> {
        let realm = challenge.param("realm").unwrap_or_default();
        let unauthorized = |status: String, message: String| RegistryError::Unauthorized {
            registry: reference.registry.clone(),
            method: "GET".to_owned(),
            url: realm.to_owned(),
            status,
            message,
        };
        let mut url =
            Url::parse(realm).map_err(|error| unauthorized("bad token realm".to_owned(), error.to_string()))?;
        let scope = action.scope(&reference.repository);
        {
            let mut query = url.query_pairs_mut();
            if let Some(service) = challenge.param("service") {
                query.append_pair("service", service);
            }
            query.append_pair("scope", &scope);
            if let Some(asked) = challenge.param("scope").filter(|asked| !asked.is_empty() && *asked != scope) {
                query.append_pair("scope", asked);
            }
        }
        let response = self.send_retrying(&Method::GET, realm, || {
            let request = self.http.get(url.clone());
            match &self.credentials {
                Some(credentials) => request.basic_auth(&credentials.username, Some(&credentials.password)),
                None => request,
            }
        })?;
        let status = response.status();
        if status != StatusCode::OK {
            let body = read_limited(response, 64 << 10, &Method::GET, realm).unwrap_or_default();
            return Err(unauthorized(status.to_string(), error_message(&body)));
        }
        let body = read_limited(response, 1 << 20, &Method::GET, realm)?;
        serde_json::from_slice::<TokenResponse>(&body)
            .ok()
            .and_then(TokenResponse::into_token)
            .ok_or_else(|| unauthorized(status.to_string(), "the token service answered without a token".to_owned()))
    }

    /// Sends, retrying 429 and 5xx (waiting `Retry-After`, capped, or an exponential backoff)
    /// and failed connections, `max_retries` times at most. TLS failures are not retried.
    fn send_retrying(
        &self,
        method: &Method,
        url: &str,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, RegistryError> {
        let mut attempt = 0;
        loop {
            match build().send() {
                Ok(response) => {
                    let status = response.status();
                    if !(status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error())
                        || attempt >= self.max_retries
                    {
                        return Ok(response);
                    }
                    let retry_after = header_string(&response, header::RETRY_AFTER.as_str());
                    let delay = retry_delay(attempt, retry_after.as_deref());
                    tracing::debug!(%method, url, %status, ?delay, "registry request retried");
                    drop(response);
                    std::thread::sleep(delay);
                }
                Err(error) => {
                    if let Some(message) = tls_failure(&error) {
                        return Err(RegistryError::Tls { method: method.to_string(), url: url.to_owned(), message });
                    }
                    if !(error.is_connect() || error.is_timeout() || error.is_request()) || attempt >= self.max_retries
                    {
                        return Err(transport_error(method, url, error));
                    }
                    let delay = retry_delay(attempt, None);
                    tracing::debug!(%method, url, error = %chain(&error), ?delay, "registry request retried");
                    std::thread::sleep(delay);
                }
            }
            attempt += 1;
            self.retried.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn expect(
        &self,
        reference: &Reference,
        method: &Method,
        url: &str,
        response: Response,
        ok: &[StatusCode],
    ) -> Result<Response, RegistryError> {
        if ok.contains(&response.status()) {
            Ok(response)
        } else {
            Err(self.status_error(reference, method, url, response))
        }
    }

    /// The error for an unsuccessful answer, with the registry's own message (`errors[].message`).
    fn status_error(&self, reference: &Reference, method: &Method, url: &str, response: Response) -> RegistryError {
        let status = response.status();
        let body = if *method == Method::HEAD {
            Vec::new()
        } else {
            read_limited(response, 64 << 10, method, url).unwrap_or_default()
        };
        let (method, url, message, status_text) =
            (method.to_string(), url.to_owned(), error_message(&body), status.to_string());
        match status {
            StatusCode::NOT_FOUND => RegistryError::NotFound { method, url, status: status_text, message },
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => RegistryError::Unauthorized {
                registry: reference.registry.clone(),
                method,
                url,
                status: status_text,
                message,
            },
            _ => RegistryError::Http { method, url, status: status_text, message },
        }
    }
}

/// How long to wait before retry `attempt` (0 for the first): `Retry-After` seconds when the
/// answer has them (at most [`MAX_RETRY_AFTER`]), else 200 ms doubled per attempt (at most 30 s).
pub(crate) fn retry_delay(attempt: u32, retry_after: Option<&str>) -> Duration {
    if let Some(seconds) = retry_after.and_then(|value| value.trim().parse::<u64>().ok()) {
        return Duration::from_secs(seconds).min(MAX_RETRY_AFTER);
    }
    FIRST_BACKOFF.saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX)).min(MAX_RETRY_AFTER)
}

fn accept_manifests() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT, HeaderValue::from_str(&MANIFEST_MEDIA_TYPES.join(", ")).expect("header value"));
    headers
}

fn header_string(response: &Response, name: &str) -> Option<String> {
    response.headers().get(name).and_then(|value| value.to_str().ok()).map(|value| value.trim().to_owned())
}

fn body_media_type(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if let Some(media_type) = value.get("mediaType").and_then(|m| m.as_str()) {
        return Some(media_type.to_owned());
    }
    Some(if value.get("manifests").is_some() { OCI_INDEX } else { OCI_MANIFEST }.to_owned())
}

/// The OCI error JSON's messages (`errors[].message`, or the codes), else the body's first
/// line if it is short text.
fn error_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<ErrorEntry>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorEntry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    if let Ok(errors) = serde_json::from_slice::<Errors>(body) {
        return errors
            .errors
            .into_iter()
            .map(|entry| if entry.message.is_empty() { entry.code } else { entry.message })
            .filter(|message| !message.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
    }
    let text = String::from_utf8_lossy(body);
    let line = text.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or_default();
    if line.starts_with('<') || line.starts_with('{') { String::new() } else { line.chars().take(200).collect() }
}

fn read_limited(response: Response, limit: u64, method: &Method, url: &str) -> Result<Vec<u8>, RegistryError> {
    let mut bytes = Vec::new();
    response
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| RegistryError::Io { context: format!("{method} {url}: reading the answer"), source })?;
    if bytes.len() as u64 > limit {
        return Err(RegistryError::TooLarge { url: url.to_owned(), limit });
    }
    Ok(bytes)
}

fn mismatch(what: String, expected: &str, actual: &str) -> RegistryError {
    RegistryError::DigestMismatch { what, expected: expected.to_owned(), actual: actual.to_owned() }
}

fn verify(expected: &str, bytes: &[u8], what: impl Fn() -> String) -> Result<(), RegistryError> {
    let mut hasher = Hasher::new(expected)?;
    hasher.update(bytes);
    let actual = hasher.finish();
    if actual != expected { Err(mismatch(what(), expected, &actual)) } else { Ok(()) }
}

fn invalid_url(text: &str, error: impl std::fmt::Display) -> RegistryError {
    RegistryError::InvalidResponse { what: format!("URL {text:?}"), reason: error.to_string() }
}

fn without_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.to_string()
}

fn transport_error(method: &Method, url: &str, error: reqwest::Error) -> RegistryError {
    RegistryError::Transport { method: method.to_string(), url: url.to_owned(), message: chain(&error.without_url()) }
}

/// An error and its sources, as one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(next) = source {
        let text = next.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = next.source();
    }
    message
}

/// The rustls error behind a failed request, if TLS is what failed.
fn tls_failure(error: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(next) = source {
        if let Some(tls) = next.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        if let Some(tls) = next
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls.to_string());
        }
        source = next.source();
    }
    let text = chain(error);
    text.contains("invalid peer certificate").then_some(text)
}

/// A digest's hash, computed incrementally.
enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn new(digest: &str) -> Result<Self, RegistryError> {
        let invalid = |reason: String| RegistryError::InvalidReference { text: digest.to_owned(), reason };
        validate_digest(digest).map_err(invalid)?;
        match digest.split_once(':').map(|(algorithm, _)| algorithm) {
            Some("sha256") => Ok(Hasher::Sha256(sha2::Sha256::new())),
            Some("sha512") => Ok(Hasher::Sha512(sha2::Sha512::new())),
            _ => Err(invalid("only sha256 and sha512 digests can be verified".to_owned())),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(hasher) => hasher.update(bytes),
            Hasher::Sha512(hasher) => hasher.update(bytes),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Sha256(hasher) => format!("sha256:{}", hex::encode(hasher.finalize())),
            Hasher::Sha512(hasher) => format!("sha512:{}", hex::encode(hasher.finalize())),
        }
    }
}

/// The upload body: chunks the caller's thread reads from its `Read` and hands over.
struct ChannelReader {
    receiver: std::sync::mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let count = buffer.len().min(self.chunk.len() - self.at);
        buffer[..count].copy_from_slice(&self.chunk[self.at..self.at + count]);
        self.at += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_200_ms_and_retry_after_wins_capped() {
        assert_eq!(retry_delay(0, None), Duration::from_millis(200));
        assert_eq!(retry_delay(1, None), Duration::from_millis(400));
        assert_eq!(retry_delay(2, None), Duration::from_millis(800));
        assert_eq!(retry_delay(40, None), MAX_RETRY_AFTER);
        assert_eq!(retry_delay(0, Some("2")), Duration::from_secs(2));
        assert_eq!(retry_delay(5, Some(" 0 ")), Duration::ZERO);
        assert_eq!(retry_delay(0, Some("3600")), MAX_RETRY_AFTER);
        // An HTTP date is not understood: the backoff applies.
        assert_eq!(retry_delay(1, Some("Wed, 21 Oct 2015 07:28:00 GMT")), Duration::from_millis(400));
    }

    #[test]
    fn registry_error_messages() {
        assert_eq!(
            error_message(br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}"#),
            "manifest unknown"
        );
        assert_eq!(error_message(br#"{"errors":[{"code":"DENIED"},{"code":"X","message":"m"}]}"#), "DENIED; m");
        assert_eq!(error_message(b"\n  too many requests\nmore"), "too many requests");
        assert_eq!(error_message(b"<html><body>503</body></html>"), "");
        assert_eq!(error_message(b""), "");
    }

    #[test]
    fn digests() {
        assert_eq!(sha256_digest(b""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        let mut hasher = Hasher::new(&sha256_digest(b"")).unwrap();
        hasher.update(b"ab");
        hasher.update(b"c");
        assert_eq!(hasher.finish(), sha256_digest(b"abc"));
        assert!(Hasher::new("sha256:abc").is_err());
        assert!(Hasher::new("blake3:abc").is_err());
    }

    #[test]
    fn manifest_kinds() {
        let index = Manifest { digest: sha256_digest(b"{}"), media_type: OCI_INDEX.to_owned(), bytes: b"{}".to_vec() };
        assert!(index.is_index());
        let error = index.image_manifest().unwrap_err().to_string();
        assert!(error.contains("is an index"), "{error}");
        assert_eq!(body_media_type(br#"{"schemaVersion":2,"manifests":[]}"#).as_deref(), Some(OCI_INDEX));
        assert_eq!(body_media_type(br#"{"mediaType":"x/y"}"#).as_deref(), Some("x/y"));
    }
}
