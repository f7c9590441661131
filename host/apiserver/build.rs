//! Compiles Kubernetes' message definitions (proto/) into one descriptor set
//! the protobuf codec loads at start; pure Rust (protox), so no protoc.

use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new("proto");
    println!("cargo:rerun-if-changed=proto");
    let mut files = Vec::new();
    collect(root, root, &mut files);
    files.sort();
    let descriptors = protox::Compiler::new([root])
        .and_then(|mut compiler| {
            compiler.include_source_info(false).include_imports(true).open_files(&files)?;
            Ok(compiler.encode_file_descriptor_set())
        })
        .unwrap_or_else(|error| panic!("proto/ does not compile: {error}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("kubernetes.bin");
    std::fs::write(&out, descriptors).expect("OUT_DIR is writable");
}

/// Every `.proto` under `dir`, relative to `root`.
fn collect(root: &Path, dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("proto/ is readable") {
        let path = entry.expect("proto/ is readable").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.extension().is_some_and(|extension| extension == "proto") {
            files.push(path.strip_prefix(root).expect("under proto/").to_owned());
        }
    }
}
