//! The conformance corpora under `testdata/`: each case is a folder holding
//! `case.yaml` (how to run it) and `tree/` (the files the tools read). The
//! suites copy a case's tree to a temporary folder, run weir and the
//! reference tool on the copy, and compare.

pub mod helm;
pub mod kustomize;

use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// Every case folder under `testdata/<corpus>/`, by name, with its `case.yaml` read.
fn load<T: DeserializeOwned>(corpus: &str) -> Vec<(String, PathBuf, T)> {
    let root = crate::paths::testdata().join(corpus);
    let mut cases: Vec<(String, PathBuf, T)> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| {
            let dir = entry.expect("a readable corpus folder").path();
            let name =
                dir.file_name().and_then(|name| name.to_str()).expect("a case folder named in UTF-8").to_string();
            let spec = read_spec(&dir.join("case.yaml"));
            (name, dir, spec)
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!cases.is_empty(), "{} holds no cases", root.display());
    cases
}

fn read_spec<T: DeserializeOwned>(path: &Path) -> T {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut documents = weir_go_yaml::parse_stream(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let document = if documents.is_empty() { serde_json::Value::Null } else { documents.swap_remove(0) };
    let document = if document.is_null() { serde_json::Value::Object(Default::default()) } else { document };
    serde_json::from_value(document).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A copy of `tree` in a new temporary folder, which goes when dropped.
fn copy_tree(tree: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("a temporary folder");
    copy_into(tree, copy.path());
    copy
}

fn copy_into(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("a readable tree entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_into(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
        }
    }
}
