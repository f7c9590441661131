//! weir's embedded Kubernetes API server.
//!
//! No Kubernetes API server can be installed where weir is developed, yet
//! weir is an operator and must be tested against the API it drives. This
//! crate is a small, real API server that kubectl and kube-rs work against
//! unchanged: discovery, the common built-in kinds stored schemaless,
//! object semantics (uid, a global resourceVersion, generation, finalizers,
//! namespaces), label/field selectors, pagination, watches, merge and JSON
//! patches, dry runs, and Kubernetes `Status` errors.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use weir_apiserver::{ApiServer, Authentication};
//! let auth = Authentication { admin_token: "secret".into(), ..Authentication::default() };
//! let server = ApiServer::bind("127.0.0.1:0".parse().unwrap(), auth).await?;
//! println!("{}", server.kubeconfig("secret"));
//! tokio::spawn(server.serve());
//! # Ok(()) }
//! ```

mod apply;
mod crd;
mod discovery;
mod fieldset;
mod gc;
mod handlers;
mod journal;
mod objects;
mod protobuf;
mod rbac;
mod registry;
mod request;
mod scale;
mod schema;
mod selector;
mod server;
mod simulate;
mod status;
mod store;
mod tls;
mod watch;
mod yaml;

pub use server::{ApiServer, Authentication, Storage, TokenUser};
pub use simulate::ANNOTATION as SIMULATE_ANNOTATION;

/// A fresh random bearer token (122 random bits).
pub fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A kubeconfig for `server_url` with the bearer `token` (and the CA to
/// trust, PEM, over TLS), context `weir`.
pub fn kubeconfig(server_url: &str, token: &str, ca_pem: Option<&str>) -> String {
    use base64::Engine;
    let authority = ca_pem
        .map(|pem| {
            format!("    certificate-authority-data: {}\n", base64::engine::general_purpose::STANDARD.encode(pem))
        })
        .unwrap_or_default();
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: weir
  cluster:
    server: {server_url}
{authority}users:
- name: weir-admin
  user:
    token: {token}
contexts:
- name: weir
  context:
    cluster: weir
    user: weir-admin
    namespace: default
current-context: weir
"
    )
}
