//! The one OCI distribution client weir shares: OCI sources, Helm OCI charts, `weir push/pull
//! artifact` and image scanning all talk to registries through [`RegistryClient`].
//!
//! - [`Reference`]: `host[:port]/path[:tag][@digest]` with Docker Hub naming as docker and Flux.
//! - Auth: anonymous first; a 401's `WWW-Authenticate` is answered with the [`Credentials`]
//!   (`Basic`) or a token from the challenge's realm (`Bearer`, cached per registry and scope
//!   until `expires_in`). [`DockerConfig`] finds credentials in a `kubernetes.io/dockerconfigjson`
//!   Secret as docker and Flux match them.
//! - Tags are listed page by page (`Link: <...>; rel="next"`); manifests and blobs are verified
//!   against their digests, blobs while streaming (never whole in memory); pushes upload blobs
//!   monolithically (streamed) and manifests by tag or digest.
//! - 429, 5xx and failed connections are retried with an exponential backoff from 200 ms,
//!   honouring `Retry-After`.
//!
//! Why not the `oci-client` crate: it cannot take our rustls configuration (client
//! certificates from Secrets, via [`weir_tls`]), has no `Link`-header tag pagination and no
//! retries of 429/5xx honouring `Retry-After`. This builds on `reqwest`'s blocking client with
//! our TLS, and uses `oci-spec`'s image-spec types for the JSON ([`Manifest::image_manifest`],
//! [`Manifest::image_index`]).
//!
//! Everything here blocks; async callers use `tokio::task::spawn_blocking`. Credentials and
//! tokens are never logged, and no error message carries them.

mod auth;
mod client;
mod error;
mod reference;

pub use auth::{Challenge, Credentials, DockerConfig, parse_challenges};
pub use client::{
    ClientOptions, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, MANIFEST_MEDIA_TYPES, Manifest, OCI_INDEX, OCI_MANIFEST,
    RegistryClient, sha256_digest,
};
pub use error::RegistryError;
pub use oci_spec;
pub use reference::{DOCKER_HUB, DOCKER_HUB_API, Reference};
