//! OCI artifacts, as source-controller pulls them for an OCIRepository: the reference resolved
//! (digest, then semver range over the registry's tags, then tag, `latest` by default), the
//! revision named as Flux does (`<tag>@sha256:<hex>`), one layer selected and either unpacked
//! into the artifact store or stored as it is, and, when asked, the signature checked first
//! ([`verify`]). The registry is reached through [`weir_registry`] only.

pub mod artifact;
pub mod component;
pub mod verify;

use std::collections::BTreeMap;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use weir_registry::oci_spec::image::Descriptor;
use weir_registry::{Manifest, Reference, RegistryClient, RegistryError};

use crate::ignore::{IgnoreRules, SOURCE_IGNORE_FILE};
use crate::store::{ArtifactOwner, ArtifactStore, StoreError, StoredArtifact};

/// The config media type of an artifact made by `flux push artifact`.
pub const FLUX_CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.flux.config.v1+json";
/// The layer media type of an artifact made by `flux push artifact`: a gzipped tarball.
pub const FLUX_CONTENT_MEDIA_TYPE: &str = "application/vnd.cncf.flux.content.v1.tar+gzip";
/// The layer media type of a Helm chart pushed by `helm push`; its tags spell `+` as `_`.
pub const HELM_CHART_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/// The platform picked from an index, as go-containerregistry's default.
const DEFAULT_PLATFORM: (&str, &str) = ("linux", "amd64");

/// Why an OCI artifact could not be resolved, pulled or stored. Messages follow
/// source-controller's.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// `spec.url` is not `oci://<registry>/<path>` without a tag: stalls until the spec changes.
    #[error("{0}")]
    InvalidUrl(String),
    /// No tag satisfies the semver range, or the range or filter does not parse.
    #[error("{0}")]
    NoMatchingTag(String),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The manifest has no layer the selector picks, or the layer cannot be unpacked.
    #[error("{0}")]
    Layer(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Which revision of the repository to follow: `spec.ref`, with Flux's precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OciReference {
    Digest(String),
    /// A semver range over the tags, optionally only the tags a (Go) regular expression matches.
    Semver {
        range: String,
        filter: Option<String>,
    },
    Tag(String),
}

impl OciReference {
    /// Digest wins, then semver, then tag; `latest` when none is set.
    pub fn from_spec(spec: Option<&weir_api::source::OCIRepositoryRef>) -> Self {
        let set = |value: &Option<String>| value.clone().filter(|value| !value.is_empty());
        let Some(spec) = spec else { return OciReference::Tag("latest".into()) };
        if let Some(digest) = set(&spec.digest) {
            OciReference::Digest(digest)
        } else if let Some(range) = set(&spec.semver) {
            OciReference::Semver { range, filter: set(&spec.semver_filter) }
        } else {
            OciReference::Tag(set(&spec.tag).unwrap_or_else(|| "latest".into()))
        }
    }
}

/// The repository of an OCIRepository's `spec.url`: `oci://` and no tag or digest, as Flux.
pub fn repository_of(url: &str) -> Result<Reference, OciError> {
    let invalid = || OciError::InvalidUrl("URL must be in format 'oci://<domain>/<org>/<repo>'".into());
    let rest = url.strip_prefix("oci://").ok_or_else(invalid)?;
    let repository = Reference::parse(rest).map_err(|error| OciError::InvalidUrl(error.to_string()))?;
    if let Some(tag) = &repository.tag {
        return Err(OciError::InvalidUrl(format!("URL must not contain a tag; remove ':{tag}'")));
    }
    if repository.digest.is_some() {
        return Err(OciError::InvalidUrl("URL must not contain a digest".into()));
    }
    Ok(repository)
}

/// A revision of the repository: the reference (tag and digest, or digest only) and Flux's
/// revision string for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub reference: Reference,
    /// `<tag>@sha256:<hex>`, or `sha256:<hex>` for a digest reference.
    pub revision: String,
}

/// Resolves `wanted` against the registry: lists tags for a semver range, asks the digest of a
/// tag. `layer_media_type` is the selector's: Helm chart tags spell semver's `+` as `_`.
pub fn resolve(
    client: &RegistryClient,
    repository: &Reference,
    wanted: &OciReference,
    layer_media_type: Option<&str>,
) -> Result<Resolved, OciError> {
    let tag = match wanted {
        OciReference::Digest(digest) => {
            return Ok(Resolved { reference: repository.with_digest(digest), revision: digest.clone() });
        }
        OciReference::Tag(tag) => tag.clone(),
        OciReference::Semver { range, filter } => {
            highest_tag(&client.tags(repository)?, range, filter.as_deref(), layer_media_type)?
        }
    };
    let tagged = repository.with_tag(&tag);
    let digest = match client.manifest_digest(&tagged)? {
        Some(digest) => digest,
        // Some registries answer HEAD without a digest header: the manifest itself tells.
        None => client.manifest(&tagged)?.digest,
    };
    Ok(Resolved { revision: format!("{tag}@{digest}"), reference: tagged.with_digest(&digest) })
}

/// The highest tag in `range` among `tags` (those `filter` matches, when set), as Flux picks it.
pub fn highest_tag(
    tags: &[String],
    range: &str,
    filter: Option<&str>,
    layer_media_type: Option<&str>,
) -> Result<String, OciError> {
    let constraints = weir_semver::Constraints::parse(range)
        .map_err(|error| OciError::NoMatchingTag(format!("semver '{range}' parse error: {error}")))?;
    let filter = filter
        .map(weir_go_regex::compile)
        .transpose()
        .map_err(|error| OciError::NoMatchingTag(format!("error compiling regex pattern: {error}")))?;
    let chart = layer_media_type == Some(HELM_CHART_MEDIA_TYPE);
    let candidates: Vec<String> = tags
        .iter()
        .filter(|tag| filter.as_ref().is_none_or(|filter| filter.is_match(tag)))
        .map(|tag| if chart { tag.replace('_', "+") } else { tag.clone() })
        .collect();
    let best = constraints
        .highest_tag(candidates.iter().map(String::as_str))
        .ok_or_else(|| OciError::NoMatchingTag(format!("no match found for semver: {range}")))?;
    Ok(if chart { best.replace('+', "_") } else { best.to_owned() })
}

/// The layer that becomes the artifact: `spec.layerSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerSelection {
    /// The first layer of this media type; the first layer of all when unset.
    pub media_type: Option<String>,
    /// Store the compressed layer as `<digest>.tgz` instead of unpacking it.
    pub copy: bool,
}

/// A pulled artifact: what was stored, and the manifest's annotations (Flux's artifact metadata).
#[derive(Debug, Clone)]
pub struct Pulled {
    pub artifact: StoredArtifact,
    pub annotations: BTreeMap<String, String>,
}

/// Pulls the revision's manifest and selected layer into `store` as `owner`'s artifact. The
/// layer is streamed into a temporary file (its digest checked on the way), then unpacked or
/// copied from there: never held in memory whole.
pub fn pull(
    client: &RegistryClient,
    resolved: &Resolved,
    layers: &LayerSelection,
    ignore: &IgnoreRules,
    store: &ArtifactStore,
    owner: &ArtifactOwner,
) -> Result<Pulled, OciError> {
    let (reference, manifest) = image_manifest(client, &resolved.reference)?;
    let manifest = manifest
        .image_manifest()
        .map_err(|error| OciError::Layer(format!("failed to parse artifact manifest: {error}")))?;
    let layer = select_layer(manifest.layers(), layers.media_type.as_deref())?;
    let layer_digest = layer.digest().to_string();
    let mut blob = tempfile::tempfile().map_err(StoreError::io("creating a file for the layer"))?;
    client.blob(&reference, &layer_digest, &mut blob)?;
    blob.rewind().map_err(StoreError::io("reading the layer back"))?;
    let artifact = if layers.copy {
        let mut staging = store.stage(owner)?;
        staging.add_file_from(Path::new(&format!("{layer_digest}.tgz")), &mut blob, false)?;
        staging.finish(&resolved.revision)?
    } else {
        let extract_error =
            |error: io::Error| OciError::Layer(format!("failed to extract layer contents from artifact: {error}"));
        // `.sourceignore` files shape what is kept, wherever they are in the tarball: a first
        // pass reads them, the second stores what they and `spec.ignore` leave.
        let source_ignores = source_ignores(GzDecoder::new(&mut blob)).map_err(extract_error)?;
        blob.rewind().map_err(StoreError::io("reading the layer back"))?;
        let matcher = ignore.matcher(&source_ignores);
        store.put(owner, &resolved.revision, GzDecoder::new(&mut blob), Some(&matcher)).map_err(
            |error| match error {
                StoreError::Archive(error) => extract_error(error),
                other => OciError::Store(other),
            },
        )?
    };
    let annotations = manifest.annotations().clone().unwrap_or_default().into_iter().collect();
    Ok(Pulled { artifact, annotations })
}

/// The image manifest of `reference`: itself, or, for an index, the default platform's (the
/// only entry when there is one), with the reference pointing at it.
fn image_manifest(client: &RegistryClient, reference: &Reference) -> Result<(Reference, Manifest), OciError> {
    let manifest = client.manifest(reference)?;
    if !manifest.is_index() {
        return Ok((reference.clone(), manifest));
    }
    let index =
        manifest.image_index().map_err(|error| OciError::Layer(format!("failed to parse artifact index: {error}")))?;
    let platform = |entry: &Descriptor| {
        entry.platform().as_ref().map(|platform| (platform.os().to_string(), platform.architecture().to_string()))
    };
    let wanted = Some((DEFAULT_PLATFORM.0.to_owned(), DEFAULT_PLATFORM.1.to_owned()));
    let chosen = match index.manifests().as_slice() {
        [only] => Some(only),
        entries => entries.iter().find(|entry| platform(entry) == wanted),
    }
    .ok_or_else(|| {
        OciError::Layer(format!(
            "no child with platform {}/{} in index {reference}",
            DEFAULT_PLATFORM.0, DEFAULT_PLATFORM.1
        ))
    })?;
    let child = reference.with_digest(chosen.digest().as_ref());
    let manifest = client.manifest(&child)?;
    Ok((child, manifest))
}

fn select_layer<'a>(layers: &'a [Descriptor], media_type: Option<&str>) -> Result<&'a Descriptor, OciError> {
    if layers.is_empty() {
        return Err(OciError::Layer("no layers found in artifact".into()));
    }
    match media_type.filter(|media_type| !media_type.is_empty()) {
        None => Ok(&layers[0]),
        Some(wanted) => layers
            .iter()
            .find(|layer| layer.media_type().to_string() == wanted)
            .ok_or_else(|| OciError::Layer(format!("failed to find layer with media type '{wanted}' in artifact"))),
    }
}

/// The `.sourceignore` files of a tarball: (directory, content), in path order.
fn source_ignores(archive: impl Read) -> io::Result<Vec<(PathBuf, String)>> {
    let mut found = Vec::new();
    for entry in tar::Archive::new(archive).entries()? {
        let mut entry = entry?;
        let path: PathBuf = entry.path()?.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect();
        let regular = matches!(entry.header().entry_type(), tar::EntryType::Regular | tar::EntryType::Continuous);
        if regular && path.file_name().is_some_and(|name| name == SOURCE_IGNORE_FILE) {
            let mut content = String::new();
            entry.read_to_string(&mut content)?;
            found.push((path.parent().map(Path::to_path_buf).unwrap_or_default(), content));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|tag| tag.to_string()).collect()
    }

    #[test]
    fn the_reference_follows_fluxs_precedence() {
        use weir_api::source::OCIRepositoryRef;
        let all = OCIRepositoryRef {
            digest: Some("sha256:ab".into()),
            semver: Some("1.x".into()),
            semver_filter: None,
            tag: Some("v1".into()),
        };
        assert_eq!(OciReference::from_spec(Some(&all)), OciReference::Digest("sha256:ab".into()));
        let semver = OCIRepositoryRef { digest: None, ..all.clone() };
        assert_eq!(OciReference::from_spec(Some(&semver)), OciReference::Semver { range: "1.x".into(), filter: None });
        let tag = OCIRepositoryRef { semver: Some(String::new()), ..semver };
        assert_eq!(OciReference::from_spec(Some(&tag)), OciReference::Tag("v1".into()));
        assert_eq!(OciReference::from_spec(None), OciReference::Tag("latest".into()));
    }

    #[test]
    fn urls_are_checked_as_flux_checks_them() {
        let repository = repository_of("oci://127.0.0.1:5000/fleet/manifests").unwrap();
        assert_eq!(
            (repository.registry.as_str(), repository.repository.as_str()),
            ("127.0.0.1:5000", "fleet/manifests")
        );
        let message = |url: &str| repository_of(url).unwrap_err().to_string();
        assert_eq!(message("https://ghcr.io/org/app"), "URL must be in format 'oci://<domain>/<org>/<repo>'");
        assert_eq!(message("oci://ghcr.io/org/app:v1"), "URL must not contain a tag; remove ':v1'");
    }

    #[test]
    fn semver_picks_the_highest_tag_the_filter_lets_through() {
        let list = tags(&["latest", "1.0.0", "1.2.0", "1.3.0-rc.1", "2.0.0", "1.2.5-dev"]);
        assert_eq!(highest_tag(&list, "1.x", None, None).unwrap(), "1.2.0");
        assert_eq!(highest_tag(&list, ">=1.0.0-0", Some(".*-rc.*"), None).unwrap(), "1.3.0-rc.1");
        let error = highest_tag(&list, ">=3.0.0", None, None).unwrap_err();
        assert_eq!(error.to_string(), "no match found for semver: >=3.0.0");
        // Helm charts' tags spell `+` as `_`.
        let charts = tags(&["0.1.0_build.1", "0.1.0"]);
        assert_eq!(highest_tag(&charts, "0.1.0", None, Some(HELM_CHART_MEDIA_TYPE)).unwrap(), "0.1.0_build.1");
    }

    #[test]
    fn the_first_layer_or_the_first_of_the_media_type() {
        let layer = |media_type: &str, hex: char| {
            let digest: weir_registry::oci_spec::image::Digest =
                format!("sha256:{}", hex.to_string().repeat(64)).parse().unwrap();
            Descriptor::new(media_type.into(), 1, digest)
        };
        let layers = [layer("application/x-a", '1'), layer(FLUX_CONTENT_MEDIA_TYPE, '2')];
        assert!(select_layer(&layers, None).unwrap().digest().to_string().ends_with('1'));
        assert!(select_layer(&layers, Some(FLUX_CONTENT_MEDIA_TYPE)).unwrap().digest().to_string().ends_with('2'));
        let error = select_layer(&layers, Some("application/x-b")).unwrap_err().to_string();
        assert_eq!(error, "failed to find layer with media type 'application/x-b' in artifact");
        assert_eq!(select_layer(&[], None).unwrap_err().to_string(), "no layers found in artifact");
    }
}
