//! An OCI chart repository — a HelmRepository of `type: oci` — as source-controller's
//! `OCIChartRepository` reads it: chart `name` lives at `<url>/<name>`, its versions are the
//! repository's tags (Helm spells semver's `+` as `_` in a tag), and a version is the chart
//! layer of the manifest `helm push` wrote under that tag. The registry is reached through
//! [`weir_registry`] only.

use weir_registry::oci_spec::image::Descriptor;
use weir_registry::{ClientOptions, Reference, RegistryClient, RegistryError};
use weir_semver::{Constraints, Version};

use super::HelmError;
use super::repository::MAX_CHART_SIZE;
use crate::oci::HELM_CHART_MEDIA_TYPE;
use crate::oci::verify::{self, TrustedKeys, VerifyError};

/// The config media type of a chart pushed by `helm push`.
pub const HELM_CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
/// The layer media type of charts pushed by Helm before 3.7; Helm still pulls them.
const LEGACY_CHART_MEDIA_TYPE: &str = "application/tar+gzip";

/// One registry repository of charts, with the client of one reconciliation.
pub struct OciChartRepository {
    /// `oci://host[:port]/path`, without a trailing `/` (Flux's normalized URL).
    url: String,
    client: RegistryClient,
}

/// A chart version chosen in an OCI repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciChartVersion {
    pub name: String,
    /// The version, `+` and all (the tag spells it `_`).
    pub version: String,
    /// `oci://host/path/name:version`, as Flux names the chart in messages.
    pub url: String,
    reference: Reference,
}

impl OciChartRepository {
    /// A repository at `url` (`oci://…`; a trailing `/` is dropped, as Flux's `NormalizeURL`).
    pub fn new(url: &str, options: ClientOptions) -> Result<Self, HelmError> {
        Self::registry_of(url)?;
        let url = url.trim_end_matches('/');
        let client = RegistryClient::new(options)
            .map_err(|error| HelmError::Credentials(format!("failed to construct Helm client: {error}")))?;
        Ok(OciChartRepository { url: url.to_owned(), client })
    }

    /// The registry (`host[:port]`) of an `oci://` repository URL: whose credentials it takes.
    pub fn registry_of(url: &str) -> Result<String, HelmError> {
        let url = url.trim_end_matches('/');
        let invalid = |message: String| HelmError::Url { url: url.to_owned(), message };
        let rest = url
            .strip_prefix("oci://")
            .filter(|rest| !rest.is_empty())
            .ok_or_else(|| invalid(format!("invalid OCI registry URL: {url}")))?;
        Ok(Reference::parse(rest).map_err(|error| invalid(error.to_string()))?.registry)
    }

    /// The version of chart `name` that `version` asks for, as Flux's `GetChartVersion`: a
    /// version (fluxcd/pkg's strict parse, one leading `v` allowed) is used as the tag without
    /// listing; anything else is a range over the tags that are versions — an exact tag first,
    /// else the highest version in the range (empty or `*`: the latest stable one).
    pub fn chart_version(&self, name: &str, version: &str) -> Result<OciChartVersion, HelmError> {
        let chart_url = format!("{}/{name}", self.url);
        let repository = Reference::parse(&chart_url)
            .map_err(|error| HelmError::Url { url: chart_url.clone(), message: error.to_string() })?;
        let chosen = |version: String| OciChartVersion {
            name: name.to_owned(),
            url: format!("{chart_url}:{version}"),
            reference: repository.with_tag(&version.replace('+', "_")),
            version,
        };
        if Version::parse_tag(version).is_ok() {
            return Ok(chosen(version.to_owned()));
        }
        let could_not =
            |message: String| HelmError::NoChartVersion(format!("could not get tags for {name:?}: {message}"));
        let tags = self.client.tags(&repository).map_err(|error| {
            registry_error(
                format!("could not get tags for {name:?}: could not fetch tags for {chart_url:?}: {error}"),
                &error,
            )
        })?;
        let versions = chart_versions(&tags);
        if versions.is_empty() {
            return Err(could_not(format!("unable to locate any tags in provided repository: {chart_url}")));
        }
        highest(&versions, version).map(chosen)
    }

    /// The chart archive of `chart`: the manifest must be a Helm chart's (Helm's config media
    /// type) and hold a chart layer, which is downloaded (verified against its digest).
    pub fn download_chart(&self, chart: &OciChartVersion) -> Result<Vec<u8>, HelmError> {
        let failed = |error: RegistryError| registry_error(format!("failed to get '{}': {error}", chart.url), &error);
        let invalid = |message: String| HelmError::InvalidChart(format!("failed to get '{}': {message}", chart.url));
        let manifest = self.client.manifest(&chart.reference).map_err(failed)?;
        let manifest = manifest.image_manifest().map_err(|error| invalid(error.to_string()))?;
        if manifest.config().media_type().to_string() != HELM_CONFIG_MEDIA_TYPE {
            return Err(invalid(format!("could not load config with mediatype {HELM_CONFIG_MEDIA_TYPE}")));
        }
        let layer = chart_layer(manifest.layers()).ok_or_else(|| {
            invalid(format!("manifest does not contain a layer with mediatype {HELM_CHART_MEDIA_TYPE}"))
        })?;
        self.client.blob_bytes(&chart.reference, layer.digest().as_ref(), MAX_CHART_SIZE as u64).map_err(failed)
    }

    /// `spec.verify`: the chart's manifest must carry a cosign signature one of `keys` made, as
    /// Flux's `VerifyChart` checks before the chart is pulled.
    pub fn verify_chart(&self, chart: &OciChartVersion, keys: &TrustedKeys) -> Result<(), HelmError> {
        let failed = |why: String| HelmError::Verification(format!("failed to verify {}: {why}", chart.url));
        let digest = match self.client.manifest_digest(&chart.reference) {
            Ok(Some(digest)) => digest,
            Ok(None) => return Err(failed("manifest unknown".into())),
            Err(error) => return Err(failed(error.to_string())),
        };
        let signed = Reference { digest: Some(digest), ..chart.reference.clone() };
        verify::verify(&self.client, &signed, keys).map_err(|error| match error {
            VerifyError::NoMatchingSignature(_) => failed("no matching signatures".into()),
            other => failed(other.to_string()),
        })
    }
}

/// The tags that are versions once `_` reads as `+` (Helm's strict parse), as versions.
fn chart_versions(tags: &[String]) -> Vec<String> {
    tags.iter().map(|tag| tag.replace('_', "+")).filter(|version| Version::parse_strict(version).is_ok()).collect()
}

/// Flux's `getLastMatchingVersionOrConstraint`: an exact match first, else the highest version
/// the range admits.
fn highest(versions: &[String], wanted: &str) -> Result<String, HelmError> {
    if let Some(exact) = versions.iter().find(|version| !wanted.is_empty() && *version == wanted) {
        return Ok(exact.clone());
    }
    let range = if wanted.is_empty() { "*" } else { wanted };
    let constraints = Constraints::parse(range)
        .map_err(|error| HelmError::NoChartVersion(format!("improper constraint: {range}: {error}")))?;
    constraints.highest_tag(versions.iter().map(String::as_str)).map(str::to_owned).ok_or_else(|| {
        HelmError::NoChartVersion(format!("could not locate a version matching provided version string {wanted}"))
    })
}

/// The chart layer, as Helm's pull finds it (the legacy media type too).
fn chart_layer(layers: &[Descriptor]) -> Option<&Descriptor> {
    layers.iter().find(|layer| {
        let media_type = layer.media_type().to_string();
        media_type == HELM_CHART_MEDIA_TYPE || media_type == LEGACY_CHART_MEDIA_TYPE
    })
}

/// A registry failure, marked as an authentication failure when the registry refused the
/// credentials or TLS failed (what Flux tells by `401`, `unauthorized` and `tls` in the error).
fn registry_error(message: String, error: &RegistryError) -> HelmError {
    let authentication = matches!(error, RegistryError::Unauthorized { .. } | RegistryError::Tls { .. });
    HelmError::Registry { message, authentication }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|tag| (*tag).to_owned()).collect()
    }

    #[test]
    fn tags_read_as_helm_reads_them() {
        let versions = chart_versions(&tags(&["0.1.0", "0.2.0_build.1", "latest", "v0.3.0", "0.4"]));
        assert_eq!(versions, ["0.1.0", "0.2.0+build.1"]);
    }

    #[test]
    fn ranges_pick_the_highest_version_exact_matches_first() {
        let versions = tags(&["0.1.0", "0.2.0", "0.3.0-rc.1", "1.0.0+abc"]);
        assert_eq!(highest(&versions, ">=0.1.0 <0.2.0").unwrap(), "0.1.0");
        assert_eq!(highest(&versions, "*").unwrap(), "1.0.0+abc");
        assert_eq!(highest(&versions, "").unwrap(), "1.0.0+abc");
        assert_eq!(highest(&versions, "0.x").unwrap(), "0.2.0");
        assert_eq!(highest(&versions, "0.3.0-rc.1").unwrap(), "0.3.0-rc.1");
        let error = highest(&versions, ">=2.0.0").unwrap_err().to_string();
        assert_eq!(error, "could not locate a version matching provided version string >=2.0.0");
        assert!(highest(&versions, "not a range").unwrap_err().to_string().starts_with("improper constraint: "));
    }

    #[test]
    fn a_version_is_a_tag_without_listing() {
        let options = ClientOptions { plain_http: true, max_retries: 0, ..Default::default() };
        let repository = OciChartRepository::new("oci://127.0.0.1:1/charts/", options).expect("repository");
        // Port 1 answers nothing: a listing would fail.
        let chosen = repository.chart_version("web", "1.2.3+build.4").expect("no listing");
        assert_eq!(chosen.url, "oci://127.0.0.1:1/charts/web:1.2.3+build.4");
        assert_eq!(chosen.reference.to_string(), "127.0.0.1:1/charts/web:1.2.3_build.4");
        assert_eq!((chosen.name.as_str(), chosen.version.as_str()), ("web", "1.2.3+build.4"));
        assert!(matches!(repository.chart_version("web", "1.x"), Err(HelmError::Registry { .. })));
    }

    #[test]
    fn urls_must_be_oci() {
        assert!(matches!(
            OciChartRepository::new("https://example.com/charts", ClientOptions::default()),
            Err(HelmError::Url { .. })
        ));
        assert!(matches!(OciChartRepository::new("oci://", ClientOptions::default()), Err(HelmError::Url { .. })));
    }
}
