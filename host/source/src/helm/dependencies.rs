//! Chart dependencies, as source-controller's `DependencyManager` builds them for a chart
//! directory of a Git or Bucket artifact: what Chart.yaml (or Chart.lock, which takes
//! precedence) lists but `charts/` lacks is added — a local chart (`file://…`, or no
//! repository at all: `charts/<name>`) from the same source, or a remote one from the HTTP or
//! OCI repository its URL names — each as a subchart directory `charts/<name>/`, the form
//! `helm package` writes. An alias stays in Chart.yaml for rendering to apply, as after `helm
//! dependency build` (source-controller renames the subchart instead, which the helm CLI then
//! reports as a missing dependency).
//!
//! Which credentials a repository URL gets is the caller's decision ([`RepositoryAccess`]): the
//! HelmChart controller passes those of a HelmRepository of the same URL in the namespace.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use weir_helm::chart::File;
use weir_helm::loader;
use weir_registry::ClientOptions;
use weir_semver::{Constraints, Version};

use super::package::{self, ChartDir};
use super::{ChartIndex, ChartRepository, HelmCredentials, HelmError, OciChartRepository};

/// How the repository of one dependency URL is reached.
pub enum RepositoryAccess {
    /// An HTTP(S) chart repository; `index` is the stored index of its HelmRepository, when it
    /// has one (else the index is downloaded).
    Http { credentials: HelmCredentials, pass_credentials: bool, timeout: Duration, index: Option<Vec<u8>> },
    /// An OCI registry.
    Oci(ClientOptions),
}

impl RepositoryAccess {
    /// What a URL no HelmRepository names gets: no credentials, a minute per request.
    pub fn anonymous(url: &str) -> Self {
        let timeout = Duration::from_secs(60);
        if url.starts_with("oci://") {
            RepositoryAccess::Oci(ClientOptions { timeout, ..ClientOptions::default() })
        } else {
            RepositoryAccess::Http {
                credentials: HelmCredentials::default(),
                pass_credentials: false,
                timeout,
                index: None,
            }
        }
    }
}

/// A dependency entry of Chart.yaml (or Chart.lock): what building it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    /// A version or a Masterminds range.
    pub version: String,
    /// `https://…`, `oci://…`, `file://…`, or empty (a chart in `charts/`).
    pub repository: String,
}

impl From<&weir_helm::chart::Dependency> for Dependency {
    fn from(entry: &weir_helm::chart::Dependency) -> Self {
        Dependency { name: entry.name.clone(), version: entry.version.clone(), repository: entry.repository.clone() }
    }
}

/// A repository connected for one build.
enum Connected {
    Http { repository: ChartRepository, index: ChartIndex },
    Oci(OciChartRepository),
}

impl Connected {
    fn connect(url: &str, access: RepositoryAccess) -> Result<Self, HelmError> {
        match access {
            RepositoryAccess::Oci(options) => Ok(Connected::Oci(OciChartRepository::new(url, options)?)),
            RepositoryAccess::Http { credentials, pass_credentials, timeout, index } => {
                let repository = ChartRepository::new(url, credentials, pass_credentials, timeout)?;
                let index = match index {
                    Some(bytes) => bytes,
                    None => repository.fetch_index()?,
                };
                Ok(Connected::Http { index: ChartIndex::parse(&index)?, repository })
            }
        }
    }

    /// The version of chart `name` that `range` picks, and its archive, as `(version, bytes)`.
    fn download(&self, dependency: &Dependency) -> Result<(String, Vec<u8>), HelmError> {
        let (name, range, url) = (&dependency.name, &dependency.version, &dependency.repository);
        let not_found = |error: HelmError| {
            HelmError::Dependency(format!("failed to get chart '{name}' version '{range}' from '{url}': {error}"))
        };
        let failed = |version: &str, error: HelmError| {
            HelmError::Dependency(format!("chart download of version '{version}' failed: {error}"))
        };
        match self {
            Connected::Http { repository, index } => {
                let entry = index.select(name, range).map_err(not_found)?;
                let reference = entry.urls.first().ok_or_else(|| {
                    failed(
                        &entry.version,
                        HelmError::NoChartVersion(format!("chart '{name}' has no downloadable URLs")),
                    )
                })?;
                let archive = repository
                    .download_chart(reference, entry.digest.as_deref())
                    .map_err(|error| failed(&entry.version, error))?;
                Ok((entry.version, archive))
            }
            Connected::Oci(repository) => {
                let version = repository.chart_version(name, range).map_err(not_found)?;
                let archive = repository.download_chart(&version).map_err(|error| failed(&version.version, error))?;
                Ok((version.version, archive))
            }
        }
    }
}

/// The dependencies Chart.yaml (or Chart.lock) lists that `charts/` of the loaded chart
/// lacks, by name as Helm's `CheckDependencies` looks (one entry per chart however many
/// aliases it has).
pub(super) fn missing(chart: &weir_helm::chart::Chart) -> Vec<Dependency> {
    let requested: Vec<Dependency> = match &chart.lock {
        Some(lock) => lock.dependencies.iter().map(Dependency::from).collect(),
        None => chart.metadata.dependencies().map(Dependency::from).collect(),
    };
    let mut missing = BTreeMap::new();
    for dependency in requested {
        if !chart.dependencies.iter().any(|present| present.name() == dependency.name) {
            missing.entry(dependency.name.clone()).or_insert(dependency);
        }
    }
    missing.into_values().collect()
}

/// The normalized repository URLs of the remote dependencies of `missing` (the keys the
/// accesses given to [`build`] are looked up by); URLs [`build`] refuses are left out.
pub fn remote_urls(missing: &[Dependency]) -> Vec<String> {
    let mut urls: Vec<String> = missing
        .iter()
        .filter(|dependency| !is_local(dependency))
        .filter_map(|d| repository_url(&d.repository).ok())
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

/// Adds every missing dependency of `chart` — the chart directory `chart_path` of the source
/// unpacked at `work_dir` — to its files, the remote ones from the repositories of `access`
/// (by normalized URL). How many were added; the first failure stops the build.
pub fn build(
    chart: &mut ChartDir,
    work_dir: &Path,
    chart_path: &str,
    mut access: HashMap<String, RepositoryAccess>,
) -> Result<usize, HelmError> {
    let mut connected: HashMap<String, Connected> = HashMap::new();
    let missing = std::mem::take(&mut chart.missing);
    for dependency in &missing {
        let name = &dependency.name;
        let files = if is_local(dependency) {
            local_dependency(work_dir, chart_path, dependency)
                .map_err(|error| HelmError::Dependency(format!("failed to add local dependency '{name}': {error}")))?
        } else {
            let mut remote = || -> Result<Vec<File>, String> {
                let url = repository_url(&dependency.repository)?;
                let repository = match connected.entry(url.clone()) {
                    std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                    std::collections::hash_map::Entry::Vacant(entry) => {
                        let access = access.remove(&url).unwrap_or_else(|| RepositoryAccess::anonymous(&url));
                        let repository = Connected::connect(&url, access)
                            .map_err(|error| format!("failed to get chart repository for URL '{url}': {error}"))?;
                        entry.insert(repository)
                    }
                };
                let (version, archive) = repository.download(dependency).map_err(|error| error.to_string())?;
                let files = loader::archive_files(&archive)
                    .map_err(|error| format!("failed to load downloaded archive of version '{version}': {error}"))?;
                loader::load_files(files.clone())
                    .map_err(|error| format!("failed to load downloaded archive of version '{version}': {error}"))?;
                Ok(files)
            };
            remote()
                .map_err(|error| HelmError::Dependency(format!("failed to add remote dependency '{name}': {error}")))?
        };
        chart.files.extend(
            files.into_iter().map(|file| File { name: format!("charts/{name}/{}", file.name), data: file.data }),
        );
    }
    Ok(missing.len())
}

/// A local dependency's chart files: the directory its `file://` reference names relative to
/// the chart (or `charts/<name>` without a reference), kept inside the source, loaded and
/// checked against the version constraint.
fn local_dependency(work_dir: &Path, chart_path: &str, dependency: &Dependency) -> Result<Vec<File>, String> {
    let relative = if dependency.repository.is_empty() {
        format!("charts/{}", dependency.name)
    } else {
        dependency.repository["file://".len()..].to_owned()
    };
    let inside = contained(&Path::new(chart_path).join(relative));
    let reference = &dependency.repository;
    let path = work_dir.join(&inside);
    if !path.exists() {
        return Err(format!("no chart found at '/{}' (reference '{reference}')", inside.display()));
    }
    let constraint = Constraints::parse(&dependency.version)
        .map_err(|error| format!("invalid version/constraint format '{}': {error}", dependency.version))?;
    let load_failed =
        |error: String| format!("failed to load chart from '/{}' (reference '{reference}'): {error}", inside.display());
    let loaded = package::read_dir(&path).map_err(|error| load_failed(error.to_string()))?;
    let version = Version::parse_lenient(&loaded.version).map_err(|error| error.to_string())?;
    if !constraint.matches(&version) {
        return Err(format!("can't get a valid version for constraint '{}'", dependency.version));
    }
    Ok(loaded.files)
}

/// `path` with `.` and `..` resolved lexically and never above the root, as securejoin
/// scopes a path to the source.
fn contained(path: &Path) -> PathBuf {
    let mut inside = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => inside.push(part),
            Component::ParentDir => {
                inside.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    inside
}

fn is_local(dependency: &Dependency) -> bool {
    dependency.repository.is_empty() || dependency.repository.starts_with("file://")
}

/// A dependency's repository URL normalized as Flux's `NormalizeURL` (one trailing `/` on an
/// HTTP URL's path, none on an OCI one) and checked as its `ValidateDepURL`.
pub fn repository_url(url: &str) -> Result<String, String> {
    if url.starts_with('@') {
        return Err(format!("aliased repository dependency is not supported: {url}"));
    }
    if let Some(rest) = url.strip_prefix("oci://") {
        return Ok(format!("oci://{}", rest.trim_end_matches('/')));
    }
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(format!("invalid dependency repository URL: {url}"));
    }
    let mut parsed = reqwest::Url::parse(url).map_err(|error| format!("parse {url:?}: {error}"))?;
    let path = format!("{}/", parsed.path().trim_end_matches('/'));
    parsed.set_path(&path);
    Ok(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn repository_urls_normalize_as_flux_normalizes_them() {
        assert_eq!(repository_url("https://charts.example.com").unwrap(), "https://charts.example.com/");
        assert_eq!(
            repository_url("https://charts.example.com/stable//").unwrap(),
            "https://charts.example.com/stable/"
        );
        assert_eq!(repository_url("oci://registry:5000/charts/").unwrap(), "oci://registry:5000/charts");
        assert_eq!(repository_url("@stable").unwrap_err(), "aliased repository dependency is not supported: @stable");
        assert_eq!(repository_url("ftp://x").unwrap_err(), "invalid dependency repository URL: ftp://x");
    }

    #[test]
    fn local_dependencies_are_added_under_their_alias_and_stay_inside_the_source() {
        let source = tempfile::tempdir().unwrap();
        let root = source.path();
        write(
            root,
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n\
             - {name: common, version: \"~0.2\", repository: \"file://../common\", alias: lib}\n\
             - {name: vendored, version: 1.0.0}\n\
             - {name: bundled, version: 3.0.0}\n",
        );
        write(root, "charts/app/charts/bundled/Chart.yaml", "apiVersion: v2\nname: bundled\nversion: 3.0.0\n");
        write(root, "charts/app/charts/vendored/Chart.yaml", "apiVersion: v2\nname: vendored\nversion: 1.0.0\n");
        write(root, "charts/common/Chart.yaml", "apiVersion: v2\nname: common\nversion: 0.2.5\ntype: library\n");
        write(root, "charts/common/templates/_helpers.tpl", "{{- define \"lib.name\" }}x{{ end }}\n");
        // Vendored in `charts/`: nothing to build for it, nor for the directory subchart.
        std::fs::remove_dir_all(root.join("charts/app/charts/vendored")).unwrap();
        let mut chart = package::read_dir(&root.join("charts/app")).unwrap();
        assert_eq!(chart.missing.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["common", "vendored"]);
        let error = build(&mut chart, root, "charts/app", HashMap::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "failed to add local dependency 'vendored': no chart found at '/charts/app/charts/vendored' (reference '')"
        );

        write(root, "charts/app/charts/vendored/Chart.yaml", "apiVersion: v2\nname: vendored\nversion: 1.0.0\n");
        let mut chart = package::read_dir(&root.join("charts/app")).unwrap();
        assert_eq!(build(&mut chart, root, "charts/app", HashMap::new()).unwrap(), 1);
        let packaged = package::package(chart).unwrap();
        let loaded = loader::load_archive(&packaged.archive).unwrap();
        let names: Vec<&str> = loaded.dependencies.iter().map(|d| d.name()).collect();
        assert_eq!(names, ["bundled", "common", "vendored"]);

        // `..` never leaves the source; a version outside the constraint is refused.
        write(
            root,
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n\
             - {name: common, version: \">=1\", repository: \"file://../../../common\"}\n",
        );
        let mut chart = package::read_dir(&root.join("charts/app")).unwrap();
        let error = build(&mut chart, root, "charts/app", HashMap::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "failed to add local dependency 'common': no chart found at '/common' (reference 'file://../../../common')"
        );
        write(
            root,
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n\
             - {name: common, version: \">=1\", repository: \"file://../common\"}\n",
        );
        let mut chart = package::read_dir(&root.join("charts/app")).unwrap();
        let error = build(&mut chart, root, "charts/app", HashMap::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "failed to add local dependency 'common': can't get a valid version for constraint '>=1'"
        );
    }

    #[test]
    fn an_aliased_repository_is_refused() {
        let source = tempfile::tempdir().unwrap();
        write(
            source.path(),
            "Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- {name: redis, version: 1.x, repository: \"@bitnami\"}\n",
        );
        let mut chart = package::read_dir(source.path()).unwrap();
        assert!(remote_urls(&chart.missing).is_empty());
        let error = build(&mut chart, source.path(), ".", HashMap::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "failed to add remote dependency 'redis': aliased repository dependency is not supported: @bitnami"
        );
    }
}
