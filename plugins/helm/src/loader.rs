//! Loading a chart from a directory or a `.tgz` archive (Helm's `pkg/chart/loader`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use weir_gotemplate::{Map, Value};

use crate::chart::{API_VERSION_V1, Chart, File, Lock, Metadata};
use crate::error::ChartError;
use crate::ignore::{HELM_IGNORE, IgnoreRules};

/// Editors and Windows tools put a UTF-8 byte-order mark first; Helm drops it.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Helm's limits against decompression bombs (`MaxDecompressedFileSize`,
/// `MaxDecompressedChartSize`): per file (directories and archives), and for
/// all of an archive's files together.
const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;
const MAX_CHART_SIZE: u64 = 100 * 1024 * 1024;

/// How deep directories may nest. Only a symbolic link cycle gets there; it
/// is found by depth because `realpath` is not available to the wasm plugin.
const MAX_DIR_DEPTH: usize = 128;

/// Loads a chart directory, honouring its top-level `.helmignore`. Symbolic
/// links are followed, as Helm's `sympath.Walk` does; a link cycle is refused.
pub fn load_dir(path: &Path) -> Result<Chart, ChartError> {
    load_files(dir_files(path)?)
}

/// The files of a chart directory that a chart is made of: its top-level
/// `.helmignore` (and Helm's defaults) applied, in walk order — what `helm
/// package` would archive.
pub fn dir_files(path: &Path) -> Result<Vec<File>, ChartError> {
    let top = path.to_owned();
    std::fs::metadata(&top).map_err(|e| ChartError::Io(format!("{}: {}", path.display(), e)))?;
    let mut rules = IgnoreRules::default();
    let ignore_file = top.join(HELM_IGNORE);
    if ignore_file.exists() {
        let text = std::fs::read_to_string(&ignore_file)
            .map_err(|e| ChartError::Io(format!("{}: {}", ignore_file.display(), e)))?;
        rules = IgnoreRules::parse(&text)?;
    }
    rules.add_defaults();
    let mut files = Vec::new();
    walk(&top, "", &rules, &mut files, 0)?;
    Ok(files)
}

/// Walks `dir` (chart-relative `rel`) in name order, as Go's `filepath.Walk`.
fn walk(dir: &Path, rel: &str, rules: &IgnoreRules, files: &mut Vec<File>, depth: usize) -> Result<(), ChartError> {
    let io_error = |p: &Path, e: std::io::Error| ChartError::Io(format!("{}: {}", p.display(), e));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| io_error(dir, e))?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| io_error(dir, e))?;
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let rel_name = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let mut meta = std::fs::symlink_metadata(&path).map_err(|e| io_error(&path, e))?;
        let target = &path;
        if meta.file_type().is_symlink() {
            let symlink_error = |e: std::io::Error| {
                let link =
                    std::fs::read_link(&path).map_or_else(|_| path.display().to_string(), |l| l.display().to_string());
                let message = match e.kind() {
                    std::io::ErrorKind::NotFound => format!("lstat {link}: no such file or directory"),
                    _ => e.to_string(),
                };
                ChartError::Symlink { path: path.display().to_string(), message }
            };
            meta = std::fs::metadata(target).map_err(symlink_error)?;
        }
        if meta.is_dir() {
            // Ignoring a directory skips everything below it.
            if rules.ignore(&rel_name, true) {
                continue;
            }
            if depth >= MAX_DIR_DEPTH {
                return Err(ChartError::Io(format!("{}: symbolic link cycle", path.display())));
            }
            walk(target, &rel_name, rules, files, depth + 1)?;
            continue;
        }
        if rules.ignore(&rel_name, false) {
            continue;
        }
        if !meta.is_file() {
            return Err(ChartError::Irregular(path.display().to_string()));
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(ChartError::FileTooLarge { name: name.clone(), max: MAX_FILE_SIZE });
        }
        let data = std::fs::read(target).map_err(|e| ChartError::Io(format!("error reading {rel_name}: {e}")))?;
        files.push(File { name: rel_name, data: strip_bom(data) });
    }
    Ok(())
}

fn strip_bom(data: Vec<u8>) -> Vec<u8> {
    match data.strip_prefix(UTF8_BOM) {
        Some(rest) => rest.to_vec(),
        None => data,
    }
}

/// Loads a gzipped tar archive with one top directory (what `helm package`
/// writes). `.helmignore` is not applied to archives, as in Helm.
pub fn load_archive(bytes: &[u8]) -> Result<Chart, ChartError> {
    load_files(archive_files(bytes)?)
}

/// The files of a chart archive (named below its top directory), with Helm's
/// path safety checks.
pub fn archive_files(bytes: &[u8]) -> Result<Vec<File>, ChartError> {
    let gzip_error = |e: std::io::Error| {
        ChartError::Archive(match e.kind() {
            std::io::ErrorKind::UnexpectedEof => "unexpected EOF".into(),
            std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData if e.to_string().contains("header") => {
                "gzip: invalid header".into()
            }
            _ => e.to_string(),
        })
    };
    let mut archive = tar::Archive::new(flate2::read::MultiGzDecoder::new(bytes));
    let mut files = Vec::new();
    let mut remaining = MAX_CHART_SIZE;
    for entry in archive.entries().map_err(gzip_error)? {
        let mut entry = entry.map_err(gzip_error)?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        // Archives made on Windows may use `\` throughout.
        let delimiter = if raw.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw.split(delimiter).collect();
        let name = parts[1..].join("/");
        if name.starts_with('/') {
            return Err(ChartError::Archive("chart illegally contains absolute paths".into()));
        }
        let name = weir_sprig::paths::clean(&name);
        if name == "." {
            return Err(ChartError::Archive(format!(
                "chart illegally contains content outside the base directory: {raw:?}"
            )));
        }
        if name.starts_with("..") {
            return Err(ChartError::Archive("chart illegally references parent directory".into()));
        }
        let bytes = name.as_bytes();
        if bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/' {
            return Err(ChartError::Archive("chart contains illegally named files".into()));
        }
        if parts[0] == "Chart.yaml" {
            return Err(ChartError::Archive("chart yaml not in base directory".into()));
        }
        let size = entry.header().size().map_err(gzip_error)?;
        if size > remaining {
            return Err(ChartError::ArchiveTooLarge { max: MAX_CHART_SIZE });
        }
        if size > MAX_FILE_SIZE {
            return Err(ChartError::ArchiveFileTooLarge { name: raw, max: MAX_FILE_SIZE });
        }
        // The header's size may lie; never read past what is left of the budget.
        let mut data = Vec::new();
        (&mut entry).take(remaining).read_to_end(&mut data).map_err(gzip_error)?;
        let written = data.len() as u64;
        remaining -= written;
        if written < size || remaining == 0 {
            return Err(ChartError::ArchiveTooLarge { max: MAX_CHART_SIZE });
        }
        files.push(File { name, data: strip_bom(data) });
    }
    if files.is_empty() {
        return Err(ChartError::Archive("no files in chart archive".into()));
    }
    Ok(files)
}

/// Builds a chart from its files (Helm's `LoadFiles`), loading `charts/`
/// entries as subcharts.
pub fn load_files(files: Vec<File>) -> Result<Chart, ChartError> {
    let decode = |file: &'static str| move |message: String| ChartError::Decode { file: file.into(), message };
    // Chart.yaml first, wherever it is in the list: later files depend on its apiVersion.
    let mut metadata: Option<Metadata> = None;
    for f in files.iter().filter(|f| f.name == "Chart.yaml") {
        let mut m = Metadata::from_yaml(&text(&f.data)).map_err(decode("Chart.yaml"))?;
        // Helm 2 charts may lack apiVersion; Helm reads them as v1.
        if m.api_version.is_empty() {
            m.api_version = API_VERSION_V1.into();
        }
        metadata = Some(m);
    }
    let mut chart_lock = None;
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut values = Map::new();
    let mut schema = None;
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => chart_lock = Some(Lock::from_yaml(&text(&f.data)).map_err(decode("Chart.lock"))?),
            "values.yaml" => values = parse_values(&f.data).map_err(decode("values.yaml"))?,
            "values.schema.json" => schema = Some(f.data),
            // Helm 2's dependency list; read into the metadata as Helm 3 still does.
            "requirements.yaml" => {
                let m = metadata.get_or_insert_with(Metadata::default);
                let value = weir_sprig::yaml::from_yaml(&text(&f.data)).map_err(decode("requirements.yaml"))?;
                m.merge_from(&value).map_err(decode("requirements.yaml"))?;
                if m.api_version == API_VERSION_V1 {
                    other.push(f);
                }
            }
            "requirements.lock" => {
                chart_lock = Some(Lock::from_yaml(&text(&f.data)).map_err(decode("requirements.lock"))?);
                if metadata.get_or_insert_with(Metadata::default).api_version == API_VERSION_V1 {
                    other.push(f);
                }
            }
            name if name.starts_with("templates/") => templates.push(f),
            name if name.starts_with("charts/") => {
                // Provenance files of packaged subcharts stay plain files.
                if name.ends_with(".prov") {
                    other.push(f);
                    continue;
                }
                let rest = &name["charts/".len()..];
                let sub = rest.split('/').next().unwrap_or("").to_owned();
                subcharts.entry(sub).or_default().push(File { name: rest.to_owned(), data: f.data });
            }
            _ => other.push(f),
        }
    }
    let mut metadata = metadata.ok_or(ChartError::MissingChartYaml)?;
    metadata.validate()?;
    let parent = metadata.name.clone();
    let mut dependencies = Vec::new();
    for (name, files) in subcharts {
        // Hidden and `_`-prefixed entries of charts/ are not subcharts.
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        let loaded = if name.ends_with(".tgz") {
            match files.first() {
                Some(file) if file.name == name => load_archive(&file.data),
                other => {
                    return Err(ChartError::Archive(format!(
                        "error unpacking subchart tar in {parent}: expected {name}, got {}",
                        other.map_or("", |f| f.name.as_str())
                    )));
                }
            }
        } else {
            let inner = files
                .into_iter()
                .filter_map(|f| {
                    f.name.split_once('/').map(|(_, rest)| File { name: rest.to_owned(), data: f.data.clone() })
                })
                .collect();
            load_files(inner)
        };
        let sub = loaded.map_err(|e| ChartError::Subchart { name, parent: parent.clone(), source: Box::new(e) })?;
        dependencies.push(sub);
    }
    Ok(Chart { metadata, lock: chart_lock, templates, files: other, values, schema, dependencies })
}

/// `values.yaml` as Helm 3.18 reads it: one YAML document holding a map.
pub fn parse_values(data: &[u8]) -> Result<Map, String> {
    match weir_sprig::yaml::from_yaml_use_number(&text(data))? {
        Value::Nil => Ok(Map::new()),
        Value::Map(map) => Ok(map.borrow().clone()),
        other => Err(crate::decode::not_a_map_error(&other)),
    }
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}
