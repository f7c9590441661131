//! Charts as HelmChart artifacts: a `.tgz` archive Helm would load, whether downloaded from a
//! repository or packaged from a directory of a Git artifact, with source-controller's changes
//! applied — `valuesFiles` merged into `values.yaml`, build metadata on the version.

use std::io::Write;
use std::path::Path;

use serde_json::Value;
use weir_helm::chart::File;
use weir_helm::loader;

use super::HelmError;
use super::dependencies::Dependency;

/// A packaged chart and what its Chart.yaml says.
#[derive(Debug, Clone)]
pub struct PackagedChart {
    pub name: String,
    pub version: String,
    /// The gzipped tar archive.
    pub archive: Vec<u8>,
}

/// Checks a downloaded archive loads as a chart (Helm's loader and metadata validation).
pub fn from_archive(archive: Vec<u8>) -> Result<PackagedChart, HelmError> {
    let chart = loader::load_archive(&archive)
        .map_err(|error| HelmError::InvalidChart(format!("failed to load downloaded chart: {error}")))?;
    Ok(PackagedChart { name: chart.metadata.name, version: chart.metadata.version, archive })
}

/// A chart directory read as `helm package` reads it, with the dependencies it still lacks.
#[derive(Debug, Clone)]
pub struct ChartDir {
    pub name: String,
    pub version: String,
    /// Its files, `.helmignore` applied, named relative to the chart.
    pub files: Vec<File>,
    /// What Chart.yaml (or Chart.lock) lists that `charts/` lacks: see [`super::dependencies`].
    pub missing: Vec<Dependency>,
}

/// Reads the chart directory `dir`: its files (`.helmignore` applied), checked to load as a chart.
pub fn read_dir(dir: &Path) -> Result<ChartDir, HelmError> {
    let invalid = |error: weir_helm::error::ChartError| HelmError::InvalidChart(error.to_string());
    let files = loader::dir_files(dir).map_err(invalid)?;
    let chart = loader::load_files(files.clone()).map_err(invalid)?;
    let missing = super::dependencies::missing(&chart);
    Ok(ChartDir { name: chart.metadata.name, version: chart.metadata.version, files, missing })
}

/// Packages a chart directory as `helm package` does: files under one top directory named
/// after the chart, Chart.yaml first.
pub fn package(chart: ChartDir) -> Result<PackagedChart, HelmError> {
    let archive = write_archive(&chart.name, &chart.files)?;
    Ok(PackagedChart { name: chart.name, version: chart.version, archive })
}

/// The files of `chart`, named below its top directory.
pub fn files(chart: &PackagedChart) -> Result<Vec<File>, HelmError> {
    loader::archive_files(&chart.archive).map_err(|error| HelmError::InvalidChart(error.to_string()))
}

/// Repackages `chart` with `values` (when given) as its `values.yaml` and `metadata` (when
/// given) as the build metadata of its version, replacing any it had, as Flux does.
pub fn with_changes(
    chart: PackagedChart,
    values: Option<&Value>,
    metadata: Option<&str>,
) -> Result<PackagedChart, HelmError> {
    if values.is_none() && metadata.is_none() {
        return Ok(chart);
    }
    let mut files = files(&chart)?;
    let mut version = chart.version.clone();
    if let Some(metadata) = metadata {
        weir_semver::Version::parse_lenient(&version).map_err(|error| {
            HelmError::InvalidChart(format!("failed to parse version from chart metadata as SemVer: {error}"))
        })?;
        version = format!("{}+{metadata}", version.split('+').next().unwrap_or_default());
        let chart_yaml = files
            .iter_mut()
            .find(|file| file.name == "Chart.yaml")
            .ok_or_else(|| HelmError::InvalidChart("Chart.yaml file is missing".into()))?;
        chart_yaml.data = with_chart_field(&chart_yaml.data, "version", &version)?;
    }
    if let Some(values) = values {
        let text = weir_go_yaml::emit_document(values).into_bytes();
        match files.iter_mut().find(|file| file.name == "values.yaml") {
            Some(file) => file.data = text,
            None => files.push(File { name: "values.yaml".into(), data: text }),
        }
    }
    let archive = write_archive(&chart.name, &files)?;
    let checked = from_archive(archive)?;
    Ok(PackagedChart { version, ..checked })
}

/// Merges `paths` (read with `read`, which answers `None` for a missing file) in order, later
/// files overriding earlier ones key by key, as Flux's `valuesFiles`. A missing file is an
/// error unless `ignore_missing`. `None` when no file contributed.
pub fn merge_values_files(
    paths: &[String],
    ignore_missing: bool,
    read: impl Fn(&str) -> Option<Vec<u8>>,
) -> Result<Option<Value>, HelmError> {
    let mut merged: Option<Value> = None;
    for path in paths {
        let Some(bytes) = read(path) else {
            if ignore_missing {
                continue;
            }
            return Err(HelmError::ValuesFile(format!("no values file found at path '{path}'")));
        };
        let unmarshal =
            |message: String| HelmError::ValuesFile(format!("unmarshaling values from '{path}' failed: {message}"));
        let text = String::from_utf8(bytes).map_err(|error| unmarshal(error.to_string()))?;
        let document = weir_go_yaml::parse_stream(&text).map_err(|error| unmarshal(error.to_string()))?;
        let values = match document.into_iter().next() {
            None | Some(Value::Null) => Value::Object(Default::default()),
            Some(map @ Value::Object(_)) => map,
            Some(_) => return Err(unmarshal("the file is not a YAML map".into())),
        };
        merged = Some(match merged {
            None => values,
            Some(mut base) => {
                merge_into(&mut base, values);
                base
            }
        });
    }
    Ok(merged)
}

/// Deep merge: maps merge key by key, anything else is replaced.
fn merge_into(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => merge_into(existing, value),
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// Chart.yaml with `field` (`version`, `name`) set to `value`.
fn with_chart_field(chart_yaml: &[u8], field: &str, value: &str) -> Result<Vec<u8>, HelmError> {
    let invalid = |message: String| HelmError::InvalidChart(format!("cannot load Chart.yaml: {message}"));
    let text = String::from_utf8(chart_yaml.to_vec()).map_err(|error| invalid(error.to_string()))?;
    let mut metadata =
        weir_go_yaml::parse_stream(&text).map_err(|error| invalid(error.to_string()))?.into_iter().next();
    let Some(Value::Object(fields)) = metadata.as_mut() else {
        return Err(invalid("not a YAML map".into()));
    };
    fields.insert(field.into(), Value::String(value.to_owned()));
    Ok(weir_go_yaml::emit_document(&Value::Object(fields.clone())).into_bytes())
}

/// A gzipped tar of `files` under `top/`, Chart.yaml first. Times, owners and modes are fixed
/// so that the same chart packages to the same bytes (and the same artifact digest).
fn write_archive(top: &str, files: &[File]) -> Result<Vec<u8>, HelmError> {
    let failed = |error: std::io::Error| HelmError::InvalidChart(format!("failed to write chart archive: {error}"));
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    let ordered = files
        .iter()
        .filter(|file| file.name == "Chart.yaml")
        .chain(files.iter().filter(|file| file.name != "Chart.yaml"));
    for file in ordered {
        let mut header = tar::Header::new_gnu();
        header.set_size(file.data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, format!("{top}/{}", file.name), file.data.as_slice()).map_err(failed)?;
    }
    let mut encoder = builder.into_inner().map_err(failed)?;
    encoder.flush().map_err(failed)?;
    encoder.finish().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 1.2.3\n");
        write("values.yaml", "replicas: 1\nimage: {repository: nginx, tag: \"1.0\"}\n");
        write("templates/cm.yaml", "kind: ConfigMap\n");
        write("ci/prod.yaml", "replicas: 3\nimage: {tag: \"2.0\"}\n");
        write("notes.tmp", "ignored\n");
        write(".helmignore", "*.tmp\n");
        dir
    }

    #[test]
    fn a_directory_packages_under_its_chart_name_with_helmignore_applied() {
        let dir = chart_dir();
        let packaged = package(read_dir(dir.path()).unwrap()).unwrap();
        assert_eq!((packaged.name.as_str(), packaged.version.as_str()), ("demo", "1.2.3"));
        let names: Vec<String> = files(&packaged).unwrap().into_iter().map(|file| file.name).collect();
        assert_eq!(names[0], "Chart.yaml");
        assert!(
            names.contains(&"templates/cm.yaml".to_owned()) && !names.contains(&"notes.tmp".to_owned()),
            "{names:?}"
        );
        assert_eq!(
            package(read_dir(dir.path()).unwrap()).unwrap().archive,
            packaged.archive,
            "packaging is reproducible"
        );
    }

    #[test]
    fn values_files_merge_in_order_into_values_yaml_and_metadata_replaces_the_build() {
        let dir = chart_dir();
        let read = |path: &str| std::fs::read(dir.path().join(path)).ok();
        let paths = ["values.yaml".to_owned(), "ci/prod.yaml".to_owned()];
        let values = merge_values_files(&paths, false, read).unwrap().unwrap();
        assert_eq!(values, serde_json::json!({"replicas": 3, "image": {"repository": "nginx", "tag": "2.0"}}));
        let changed = with_changes(package(read_dir(dir.path()).unwrap()).unwrap(), Some(&values), Some("4")).unwrap();
        assert_eq!(changed.version, "1.2.3+4");
        let chart = loader::load_archive(&changed.archive).unwrap();
        assert_eq!(chart.metadata.version, "1.2.3+4");
        assert!(format!("{:?}", chart.values).contains("2.0"));
    }

    #[test]
    fn a_missing_values_file_fails_unless_ignored() {
        let paths = ["nope.yaml".to_owned()];
        let error = merge_values_files(&paths, false, |_| None).unwrap_err();
        assert_eq!(error.to_string(), "no values file found at path 'nope.yaml'");
        assert!(merge_values_files(&paths, true, |_| None).unwrap().is_none());
        let list = merge_values_files(&["list.yaml".to_owned()], false, |_| Some(b"- a\n".to_vec()));
        assert!(list.unwrap_err().to_string().contains("not a YAML map"));
    }

    #[test]
    fn an_archive_that_is_no_chart_is_refused() {
        let error = from_archive(b"not gzip".to_vec()).unwrap_err();
        assert!(error.to_string().starts_with("failed to load downloaded chart"), "{error}");
    }
}
