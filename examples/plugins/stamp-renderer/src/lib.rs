//! An example third-party renderer: every `.yaml`/`.yml` file under the path, in name order,
//! recursively, each object labelled `rendered-by: stamp-renderer` and, when the Plugin grants
//! the `STAMP_ENVIRONMENT` variable, `environment: <its value>`. Kustomization files are
//! skipped: this renderer is for plain manifests. A tenant runs it through a Plugin object and
//! the `plugins.weir.dev/renderer` annotation on its Kustomization.

use std::path::{Path, PathBuf};

use serde_json::Value;
use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::renderer::{BuildOptions, Rendered};
use weir_plugin_sdk::types::{Error, ErrorCode};

struct StampRenderer;

const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

impl Plugin for StampRenderer {
    fn build(options: BuildOptions) -> Result<Rendered, Error> {
        let root = Path::new("/src").join(&options.path);
        let mut files = Vec::new();
        collect(&root, &mut files)?;
        let environment = std::env::var("STAMP_ENVIRONMENT").ok();
        let mut documents = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|error| io_error(&file, error))?;
            let parsed = weir_go_yaml::parse_stream(&text)
                .map_err(|error| Error::new(ErrorCode::InvalidInput, format!("{}: {error}", shown(&file))))?;
            for mut object in parsed.into_iter().filter(|document| !document.is_null()) {
                stamp(&mut object, environment.as_deref())
                    .ok_or_else(|| Error::new(ErrorCode::InvalidInput, format!("{}: not a mapping", shown(&file))))?;
                documents.push(weir_go_yaml::emit_document(&object));
            }
        }
        Ok(Rendered { documents, warnings: Vec::new() })
    }
}

/// Adds the labels; `None` when `object` is not a mapping.
fn stamp(object: &mut Value, environment: Option<&str>) -> Option<()> {
    let metadata = object.as_object_mut()?.entry("metadata").or_insert_with(|| Value::Object(Default::default()));
    let labels = metadata.as_object_mut()?.entry("labels").or_insert_with(|| Value::Object(Default::default()));
    let labels = labels.as_object_mut()?;
    labels.insert("rendered-by".into(), "stamp-renderer".into());
    if let Some(environment) = environment {
        labels.insert("environment".into(), environment.into());
    }
    Some(())
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|error| io_error(dir, error))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        if path.is_dir() {
            collect(&path, files)?;
        } else if (name.ends_with(".yaml") || name.ends_with(".yml")) && !KUSTOMIZATION_FILES.contains(&name) {
            files.push(path);
        }
    }
    Ok(())
}

fn shown(path: &Path) -> String {
    path.strip_prefix("/src").unwrap_or(path).display().to_string()
}

fn io_error(path: &Path, error: std::io::Error) -> Error {
    let code = if error.kind() == std::io::ErrorKind::NotFound { ErrorCode::NotFound } else { ErrorCode::InvalidInput };
    Error::new(code, format!("{}: {error}", shown(path)))
}

weir_plugin_sdk::register_plugin!(StampRenderer: renderer);
