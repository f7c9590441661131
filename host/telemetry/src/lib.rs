//! How the operator shows its health, as a controller-runtime manager does:
//!
//! - [`probes`]: `/healthz` (the process serves) and `/readyz` (it reached the API server and
//!   its controllers run), for the kubelet's probes;
//! - [`logging`]: `--log-level` and `--log-encoding` (`json`, one object a line, or `console`).

pub mod logging;
pub mod probes;
