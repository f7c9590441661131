//! HTTP: authentication, routing to discovery or resource verbs, and
//! turning answers into responses (JSON, Status errors, watch streams).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::Value;
use tokio::net::TcpListener;

use crate::discovery;
use crate::handlers::{Api, PatchKind};
use crate::rbac::{Attributes, MASTERS, UserInfo};
use crate::request::{Query, parse_resource_path};
use crate::status::ApiError;
use crate::store::Store;
use crate::tls::SelfSignedTls;

/// The largest request body accepted (kube-apiserver's is 3 MiB per object).
const MAX_BODY: usize = 16 << 20;

/// Who may call the server.
#[derive(Debug, Clone, Default)]
pub struct Authentication {
    /// Bearer token of the admin (group `system:masters`, allowed everything).
    pub admin_token: String,
    /// Further users, each with its own token; RBAC decides what they may do.
    pub users: Vec<TokenUser>,
}

/// A user known by a bearer token.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub token: String,
    pub name: String,
    pub groups: Vec<String>,
}

/// The admin's user name.
const ADMIN: &str = "weir-admin";

/// A running server.
pub struct ApiServer {
    api: Arc<Api>,
    auth: Arc<Authentication>,
    address: SocketAddr,
    listener: TcpListener,
    trust_loopback: bool,
    simulate_workloads: Option<std::time::Duration>,
    tls: Option<SelfSignedTls>,
}

/// Where and how objects are kept.
#[derive(Debug, Clone)]
pub struct Storage {
    /// Past watch events kept for watches that resume; an older
    /// resourceVersion gets 410 Gone.
    pub watch_history: usize,
    /// Keep objects in this directory across restarts; in memory only when `None`.
    pub data_dir: Option<PathBuf>,
}

impl Default for Storage {
    fn default() -> Self {
        Self { watch_history: crate::store::DEFAULT_HISTORY, data_dir: None }
    }
}

impl ApiServer {
    /// Binds `address` (port 0 picks a free one), keeping objects in memory.
    pub async fn bind(address: SocketAddr, auth: Authentication) -> std::io::Result<Self> {
        Self::bind_with(address, auth, Storage::default()).await
    }

    /// Binds `address` with the given storage.
    pub async fn bind_with(address: SocketAddr, auth: Authentication, storage: Storage) -> std::io::Result<Self> {
        let store = match &storage.data_dir {
            Some(dir) => Store::open(dir, storage.watch_history)?,
            None => Store::with_history(storage.watch_history),
        };
        let listener = TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        // Reading the compiled-in protobuf descriptors takes milliseconds: do
        // it now, off the request path, not on the first protobuf request.
        tokio::task::spawn_blocking(crate::protobuf::load_descriptors);
        let trust_loopback = address.ip().is_loopback();
        Ok(Self {
            api: Arc::new(Api::new(store)),
            auth: Arc::new(auth),
            address,
            listener,
            trust_loopback,
            simulate_workloads: None,
            tls: None,
        })
    }

    /// Serves HTTPS under a CA generated now (see [`ApiServer::kubeconfig`]);
    /// every request must then carry a valid token.
    pub fn with_self_signed_tls(mut self) -> std::io::Result<Self> {
        self.tls = Some(SelfSignedTls::generate(self.address.ip())?);
        self.trust_loopback = false;
        Ok(self)
    }

    /// A kubeconfig for this server and the bearer `token` (with the CA, over TLS).
    pub fn kubeconfig(&self, token: &str) -> String {
        crate::kubeconfig(&self.url(), token, self.tls.as_ref().map(|tls| tls.ca_pem.as_str()))
    }

    /// Stands in for the workload controllers (see [`crate::SIMULATE_ANNOTATION`]):
    /// workloads get ready status `delay` after each change.
    pub fn simulate_workloads(mut self, delay: std::time::Duration) -> Self {
        self.simulate_workloads = Some(delay);
        self
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://ADDRESS` or `https://ADDRESS`, for kubeconfigs and clients.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.address)
    }

    /// Serves connections until the task is dropped.
    pub async fn serve(self) {
        if let Some(delay) = self.simulate_workloads {
            tokio::spawn(crate::simulate::run(self.api.clone(), delay));
        }
        let server_address = self.address.to_string();
        let trust_loopback = self.trust_loopback;
        loop {
            let (stream, _) = match self.listener.accept().await {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!("accept failed: {error}");
                    continue;
                }
            };
            let (api, auth, server_address) = (self.api.clone(), self.auth.clone(), server_address.clone());
            let acceptor = self.tls.as_ref().map(|tls| tls.acceptor.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let (api, auth, server_address) = (api.clone(), auth.clone(), server_address.clone());
                    async move { Ok::<_, Infallible>(handle(&api, &auth, trust_loopback, &server_address, request).await) }
                });
                let builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
                let connection = match acceptor {
                    None => builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await,
                    Some(acceptor) => match acceptor.accept(stream).await {
                        Ok(stream) => builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await,
                        Err(error) => {
                            tracing::debug!("TLS handshake failed: {error}");
                            return;
                        }
                    },
                };
                if let Err(error) = connection {
                    tracing::debug!("connection ended: {error}");
                }
            });
        }
    }
}

type Body = BoxBody<Bytes, Infallible>;

fn json_response(code: u16, body: &Value) -> Response<Body> {
    bytes_response(code, "application/json", serde_json::to_vec(body).unwrap_or_default())
}

fn bytes_response(code: u16, content_type: &str, bytes: Vec<u8>) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(CONTENT_TYPE, content_type)
        .body(Full::new(Bytes::from(bytes)).boxed())
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()).boxed()))
}

fn error_response(error: &ApiError) -> Response<Body> {
    json_response(error.code, &error.to_status())
}

async fn handle(
    api: &Arc<Api>,
    auth: &Authentication,
    trust_loopback: bool,
    server_address: &str,
    request: Request<Incoming>,
) -> Response<Body> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let outcome = match authenticate(auth, trust_loopback, &request).and_then(|user| impersonate(api, user, &request)) {
        Ok(user) => match authorize(api, &user, &request) {
            Ok(()) => route(api, &user, server_address, request).await,
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    match outcome {
        Ok(response) => response,
        Err(error) => {
            tracing::debug!(%method, path, code = error.code, "{}", error.message);
            error_response(&error)
        }
    }
}

async fn route(
    api: &Arc<Api>,
    user: &UserInfo,
    server_address: &str,
    request: Request<Incoming>,
) -> Result<Response<Body>, ApiError> {
    let path = request.uri().path().trim_end_matches('/').to_owned();
    if matches!(path.as_str(), "/healthz" | "/livez" | "/readyz") {
        return Ok(Response::new(Full::new(Bytes::from_static(b"ok")).boxed()));
    }
    let method = request.method().clone();
    let discovery_answer = match (method.clone(), path.as_str()) {
        (Method::GET, "/version") => Some(discovery::version()),
        (Method::GET, "/api") => Some(discovery::core_versions(server_address)),
        (Method::GET, "/apis") => Some(discovery::groups(&api.registry)),
        (Method::GET, "/openapi/v3") => Some(discovery::openapi_v3_index(&api.registry)),
        (Method::GET, other) => discovery_path(api, other),
        _ => None,
    };
    if let Some(answer) = discovery_answer {
        return Ok(json_response(200, &answer));
    }
    let Some(resource) = parse_resource_path(&path) else {
        return Err(ApiError::not_found("", "", &path).with_message("the server could not find the requested resource"));
    };
    let header = |name| request.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or("").to_owned();
    let (accept, content_type) = (header(ACCEPT), header(CONTENT_TYPE));
    let mut query = Query::parse(request.uri().query());
    // Like kube-apiserver: a write without fieldManager is recorded under the
    // client's name, the user agent up to its first '/'.
    let user_agent = header(USER_AGENT);
    let default_manager = user_agent.split('/').next().filter(|name| !name.is_empty()).unwrap_or("unknown");
    query.set_default("fieldManager", default_manager.to_owned());
    let body = read_body(request).await?;
    let name = resource.name.clone();
    let (code, answer) = match (method, name) {
        (Method::GET, Some(name)) if accept.contains("as=Table") && resource.subresource.is_none() => {
            let (_, object) = api.get(&resource, &name)?;
            let ty = api.resource_type(&resource)?;
            (200, discovery::table(&ty, &serde_json::json!({ "metadata": {}, "items": [object] })))
        }
        (Method::GET, Some(name)) => api.get(&resource, &name)?,
        (Method::GET, None) if query.flag("watch") => {
            return Ok(watch_response(crate::watch::start(api, &resource, &query, &accept)?));
        }
        (Method::GET, None) => {
            let (ty, list) = api.list(&resource, &query)?;
            let list = if accept.contains("as=Table") { discovery::table(&ty, &list) } else { list };
            (200, list)
        }
        (Method::POST, None)
            if resource.group == "authorization.k8s.io" && resource.resource.ends_with("accessreviews") =>
        {
            api.resource_type(&resource)?;
            (201, api.review(user, parse_object(&content_type, &body)?))
        }
        (Method::POST, None)
            if resource.group == "authentication.k8s.io" && resource.resource == "selfsubjectreviews" =>
        {
            api.resource_type(&resource)?;
            (201, crate::rbac::self_subject_review(user, parse_object(&content_type, &body)?))
        }
        (Method::POST, None) => api.create(&resource, &query, parse_object(&content_type, &body)?)?,
        (Method::PUT, Some(name)) => api.update(&resource, &name, &query, parse_object(&content_type, &body)?)?,
        (Method::PATCH, Some(name)) => {
            let kind = PatchKind::from_content_type(&content_type)?;
            let body = match kind {
                PatchKind::Apply => crate::yaml::parse_document(&String::from_utf8_lossy(&body))?,
                _ => parse_json(&body)?,
            };
            api.patch(&resource, &name, &query, kind, body)?
        }
        (Method::DELETE, Some(name)) => {
            api.delete(&resource, &name, &query, &parse_delete_options(&content_type, &body)?)?
        }
        (Method::DELETE, None) => {
            api.delete_collection(&resource, &query, &parse_delete_options(&content_type, &body)?)?
        }
        (method, _) => return Err(ApiError::method_not_allowed(format!("{method} is not supported on {path}"))),
    };
    Ok(object_response(code, &answer, &accept))
}

/// An object as the client asked: protobuf when it prefers that and the kind
/// has one, else JSON; 406 when it accepts nothing else.
fn object_response(code: u16, object: &Value, accept: &str) -> Response<Body> {
    match crate::protobuf::negotiate(accept) {
        crate::protobuf::Answer::Json => json_response(code, object),
        crate::protobuf::Answer::Protobuf { or_json } => match crate::protobuf::encode_object(object) {
            Ok(bytes) => bytes_response(code, crate::protobuf::MEDIA_TYPE, bytes),
            Err(_) if or_json => json_response(code, object),
            Err(_) => error_response(&ApiError::not_acceptable()),
        },
    }
}

/// `/api/v1`, `/apis/GROUP`, `/apis/GROUP/VERSION`.
fn discovery_path(api: &Api, path: &str) -> Option<Value> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["api", version] => discovery::resources(&api.registry, "", version),
        ["apis", group] => discovery::group(&api.registry, group),
        ["apis", group, version] => discovery::resources(&api.registry, group, version),
        ["openapi", "v3", "api", version] => discovery::openapi_v3_document(&api.registry, "", version),
        ["openapi", "v3", "apis", group, version] => discovery::openapi_v3_document(&api.registry, group, version),
        _ => None,
    }
}

fn admin() -> UserInfo {
    UserInfo::new(ADMIN, &[MASTERS.to_owned()])
}

/// Constant-time comparison: tokens are secrets.
fn same_secret(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given.bytes().zip(expected.bytes()).fold(0u8, |difference, (a, b)| difference | (a ^ b)) == 0
}

/// A presented token must be valid. Without one, only a plain-HTTP server
/// bound to loopback lets the request in, as the admin: client-go never
/// sends credentials without TLS, and like Kubernetes' former insecure
/// port, such a server trusts its own machine.
fn authenticate(
    auth: &Authentication,
    trust_loopback: bool,
    request: &Request<Incoming>,
) -> Result<UserInfo, ApiError> {
    let Some(authorization) = request.headers().get(AUTHORIZATION) else {
        return if trust_loopback { Ok(admin()) } else { Err(ApiError::unauthorized()) };
    };
    let token = authorization
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)?;
    if same_secret(token, &auth.admin_token) {
        return Ok(admin());
    }
    auth.users
        .iter()
        .find(|user| same_secret(token, &user.token))
        .map(|user| UserInfo::new(&user.name, &user.groups))
        .ok_or_else(ApiError::unauthorized)
}

/// `Impersonate-User`/`Impersonate-Group`: act as another user, if the
/// caller may impersonate (RBAC verb `impersonate` on users/groups/serviceaccounts).
fn impersonate(api: &Api, caller: UserInfo, request: &Request<Incoming>) -> Result<UserInfo, ApiError> {
    let Some(target) = request.headers().get("impersonate-user").and_then(|value| value.to_str().ok()) else {
        return Ok(caller);
    };
    let groups: Vec<String> = request
        .headers()
        .get_all("impersonate-group")
        .iter()
        .filter_map(|value| value.to_str().ok().map(str::to_owned))
        .collect();
    let may = |resource: &str, namespace: &str, name: &str| {
        api.allowed(
            &caller,
            &Attributes {
                verb: "impersonate".into(),
                resource: resource.into(),
                namespace: namespace.into(),
                name: name.into(),
                ..Attributes::default()
            },
        )
    };
    let user_allowed = match target.strip_prefix("system:serviceaccount:").and_then(|rest| rest.split_once(':')) {
        Some((namespace, name)) => may("serviceaccounts", namespace, name),
        None => may("users", "", target),
    };
    if !user_allowed || !groups.iter().all(|group| may("groups", "", group)) {
        return Err(ApiError::forbidden(format!(
            "users \"{target}\" is forbidden: User \"{}\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
            caller.name
        )));
    }
    Ok(UserInfo::new(target, &groups))
}

/// RBAC for every request; discovery and health are open to every authenticated user.
fn authorize(api: &Api, user: &UserInfo, request: &Request<Incoming>) -> Result<(), ApiError> {
    let path = request.uri().path().trim_end_matches('/');
    let Some(resource) = parse_resource_path(path) else {
        return Ok(());
    };
    let query = Query::parse(request.uri().query());
    let verb = match (request.method().clone(), &resource.name) {
        (Method::GET, Some(_)) => "get",
        (Method::GET, None) if query.flag("watch") => "watch",
        (Method::GET, None) => "list",
        (Method::POST, _) => "create",
        (Method::PUT, _) => "update",
        (Method::PATCH, _) => "patch",
        (Method::DELETE, Some(_)) => "delete",
        (Method::DELETE, None) => "deletecollection",
        _ => return Ok(()),
    };
    let attributes = Attributes {
        verb: verb.into(),
        group: resource.group.clone(),
        resource: resource.resource.clone(),
        subresource: resource.subresource.clone().unwrap_or_default(),
        namespace: resource.namespace.clone(),
        name: resource.name.clone().unwrap_or_default(),
        path: None,
    };
    // Anyone may ask what they themselves may do.
    // Anyone may ask about themselves, as in Kubernetes' default RBAC.
    if matches!(resource.resource.as_str(), "selfsubjectaccessreviews" | "selfsubjectreviews")
        || api.allowed(user, &attributes)
    {
        Ok(())
    } else {
        Err(ApiError::forbidden(attributes.forbidden_message(&user.name)))
    }
}

async fn read_body(request: Request<Incoming>) -> Result<Bytes, ApiError> {
    Limited::new(request.into_body(), MAX_BODY)
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .map_err(|error| ApiError::bad_request(format!("cannot read the request body: {error}")))
}

/// An object body: JSON, or protobuf for the kinds kubectl sends that way.
fn parse_object(content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    match content_type.split(';').next().unwrap_or("").trim() {
        "application/json" | "" => parse_json(body),
        "application/vnd.kubernetes.protobuf" => crate::protobuf::decode_object(body),
        other => Err(ApiError::unsupported_media_type(other)),
    }
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|error| ApiError::bad_request(format!("the request body is not valid JSON: {error}")))
}

/// DeleteOptions may be absent, and client-go sends them as protobuf
/// when it talks protobuf (helm does, to delete its release Secrets).
fn parse_delete_options(content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) { Ok(Value::Null) } else { parse_object(content_type, body) }
}

fn watch_response(watch: crate::watch::Watch) -> Response<Body> {
    let stream = futures_util::stream::unfold(watch.frames, |mut frames| async move {
        frames.recv().await.map(|frame| (Ok::<_, Infallible>(Frame::data(frame)), frames))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, watch.content_type)
        .header("Transfer-Encoding", "chunked")
        .body(StreamBody::new(stream).boxed())
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()).boxed()))
}
