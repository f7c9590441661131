//! Helm chart repositories, as source-controller reads them for HelmRepository and HelmChart:
//!
//! - [`ChartRepository`]: an HTTP(S) repository — its `index.yaml` and the chart archives it
//!   lists — with basic auth, a CA, a client certificate and Helm's rule for sending
//!   credentials to chart URLs on other hosts (`passCredentials`);
//! - [`ChartIndex`]: a parsed index and Flux's choice of a chart version for a semver range;
//! - [`package`]: charts as artifacts — a packaged chart checked and read, a chart directory
//!   of a Git artifact packaged as `helm package` would, `valuesFiles` merged into it;
//! - [`dependencies`]: the dependencies a chart directory lists but lacks, added from the
//!   same source or from their repositories, as `helm dependency build`;
//! - [`OciChartRepository`]: an OCI registry as a chart repository (`type: oci`): versions
//!   from its tags, charts from the manifests `helm push` writes.
//!
//! Nothing here renders a chart: that is the chart-renderer plugin's work.

mod credentials;
pub mod dependencies;
mod index;
mod oci;
pub mod package;
mod repository;

pub use credentials::HelmCredentials;
pub use index::{ChartIndex, IndexEntry};
pub use oci::{HELM_CONFIG_MEDIA_TYPE, OciChartRepository, OciChartVersion};
pub use repository::ChartRepository;

/// Why a Helm repository or chart could not be read. Messages follow source-controller's.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    #[error("invalid Helm repository URL '{url}': {message}")]
    Url { url: String, message: String },
    /// TLS or credentials that cannot be used (a bad certificate in the Secret, …).
    #[error("{0}")]
    Credentials(String),
    /// The server refused our credentials (401/403).
    #[error("failed to fetch {url} : {status}")]
    Unauthorized { url: String, status: String },
    /// The request failed: unreachable, timed out, a non-success status, too large.
    #[error("failed to fetch {url} : {message}")]
    Fetch { url: String, message: String },
    #[error("failed to load index: {0}")]
    Index(String),
    /// No chart, or no version of it, that the spec asks for.
    #[error("{0}")]
    NoChartVersion(String),
    /// An archive or directory that is not a chart Helm would load.
    #[error("{0}")]
    InvalidChart(String),
    /// An OCI registry's failure; `authentication` when it refused the credentials or TLS failed.
    #[error("{message}")]
    Registry { message: String, authentication: bool },
    /// A `valuesFiles` entry missing (and not ignorable) or not a YAML map.
    #[error("{0}")]
    ValuesFile(String),
    /// A dependency of a chart directory that could not be added.
    #[error("{0}")]
    Dependency(String),
    /// `spec.verify` found no signature a trusted key made (or could not look).
    #[error("chart verification error: {0}")]
    Verification(String),
}

/// Checks the name of a chart in a repository as Flux's `RemoteReference.Validate` does.
pub fn check_chart_name(name: &str) -> Result<(), HelmError> {
    if name.is_empty() {
        return Err(HelmError::NoChartVersion("no name set for remote chart reference".into()));
    }
    let valid = weir_go_regex::compile(r"^([-a-z0-9]+/?\.?)+$").is_ok_and(|pattern| pattern.is_match(name));
    if !valid {
        return Err(HelmError::NoChartVersion(format!(
            "invalid chart name '{name}': a valid name must be lower case letters and numbers and MAY be separated \
             with dashes (-), slashes (/) or periods (.)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn chart_names_are_checked_as_flux_checks_them() {
        for name in ["web", "my-chart", "team/web", "web.v2"] {
            assert!(super::check_chart_name(name).is_ok(), "{name}");
        }
        for name in ["", "Web", "my_chart", "/web", "web..v2", "web//x"] {
            assert!(super::check_chart_name(name).is_err(), "{name}");
        }
    }
}
