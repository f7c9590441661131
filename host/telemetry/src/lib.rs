//! How the operator shows its health, as a controller-runtime manager does:
//!
//! - [`probes`]: `/healthz` (the process serves) and `/readyz` (it reached the API server and
//!   its controllers run), for the kubelet's probes;
//! - [`logging`]: `--log-level` and `--log-encoding` (`json`, one object a line, or `console`);
//! - [`metrics`]: Flux's and controller-runtime's metric families and weir's plugin figures,
//!   in Prometheus' text format for `/metrics`.

mod http;
pub mod logging;
pub mod metrics;
pub mod probes;

pub use http::parse_address;
