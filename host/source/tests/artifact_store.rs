//! Artifacts: content-addressed, canonical digests, read-only, links kept inside, GC.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::{Workspace, list_files, owner};
use weir_source::GitReference;
use weir_testkit::git::Repo;

fn main_branch() -> GitReference {
    GitReference::Branch("main".into())
}

#[test]
fn artifact_holds_the_tree_at_its_content_address() {
    let repo = Repo::new();
    repo.write("deploy/app.yaml", "kind: ConfigMap\n");
    repo.commit("app");
    let ws = Workspace::new();
    let artifact = ws.artifact(&repo, main_branch(), None);
    let hex = artifact.digest.strip_prefix("sha256:").expect("sha256 digest");
    assert_eq!(hex.len(), 64);
    assert_eq!(artifact.path, format!("gitrepository/ns/obj/{hex}"));
    assert_eq!(artifact.dir, ws.store.root().join(&artifact.path));
    assert_eq!(ws.store.path_of(&artifact.path), artifact.dir);
    assert_eq!(artifact.url, format!("file://{}", artifact.dir.display()));
    assert_eq!(artifact.revision, format!("main@sha1:{}", repo.head()));
    assert_eq!(artifact.size, ("hello\n".len() + "kind: ConfigMap\n".len()) as u64);
    assert_eq!(list_files(&artifact.dir), ["README.md", "deploy/app.yaml"]);
    assert_eq!(std::fs::read_to_string(artifact.dir.join("deploy/app.yaml")).unwrap(), "kind: ConfigMap\n");
}

#[test]
fn identical_trees_share_a_digest_and_a_change_makes_a_new_one() {
    let repo = Repo::new();
    let ws = Workspace::new();
    let first = ws.artifact(&repo, main_branch(), None);
    // A new commit with the same tree: same digest, same directory.
    repo.commit("empty change");
    let same = ws.artifact(&repo, main_branch(), None);
    assert_ne!(first.revision, same.revision);
    assert_eq!(first.digest, same.digest);
    assert_eq!(first.dir, same.dir);
    // The same tree in another repository and store gives the same digest too.
    let other_repo = Repo::new();
    let other_ws = Workspace::new();
    let other = other_ws.artifact(&other_repo, main_branch(), None);
    assert_eq!(other.digest, first.digest);

    repo.write("README.md", "changed\n");
    repo.commit("change");
    let changed = ws.artifact(&repo, main_branch(), None);
    assert_ne!(changed.digest, first.digest);
    // The mode is part of the digest too.
    std::fs::set_permissions(repo.dir.join("README.md"), std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.commit("executable");
    let executable = ws.artifact(&repo, main_branch(), None);
    assert_ne!(executable.digest, changed.digest);
}

#[test]
fn artifacts_are_read_only_and_keep_the_executable_bit() {
    let repo = Repo::new();
    repo.write("bin/run.sh", "#!/bin/sh\n");
    std::fs::set_permissions(repo.dir.join("bin/run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.commit("script");
    let ws = Workspace::new();
    let artifact = ws.artifact(&repo, main_branch(), None);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&artifact.dir), 0o555);
    assert_eq!(mode(&artifact.dir.join("bin")), 0o555);
    assert_eq!(mode(&artifact.dir.join("README.md")), 0o444);
    assert_eq!(mode(&artifact.dir.join("bin/run.sh")), 0o555);
}

#[test]
fn symlinks_are_kept_only_inside_the_tree() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.dir.join("sub")).unwrap();
    let link = |target: &str, path: &str| std::os::unix::fs::symlink(target, repo.dir.join(path)).unwrap();
    link("../README.md", "sub/readme");
    link("/etc/passwd", "absolute");
    link("../../outside", "sub/escape");
    link(".", "here");
    // Lexically inside, but `here/..` is the parent of the tree once `here` is followed.
    link("here/../README.md", "sneaky");
    repo.commit("links");
    let ws = Workspace::new();
    let artifact = ws.artifact(&repo, main_branch(), None);
    assert_eq!(list_files(&artifact.dir), ["README.md", "here", "sub/readme"]);
    let readme = artifact.dir.join("sub/readme");
    assert!(std::fs::symlink_metadata(&readme).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(readme).unwrap(), "hello\n");
}

#[test]
fn garbage_collect_keeps_the_newest() {
    let repo = Repo::new();
    let ws = Workspace::new();
    let mut artifacts = Vec::new();
    for i in 0..4 {
        repo.write("n.txt", &format!("{i}\n"));
        repo.commit(&format!("{i}"));
        artifacts.push(ws.artifact(&repo, main_branch(), None));
        // Distinct modification times even on coarse file systems.
        std::thread::sleep(Duration::from_millis(20));
    }
    // Storing the first tree again makes it the newest.
    repo.write("n.txt", "0\n");
    repo.commit("back to 0");
    let again = ws.artifact(&repo, main_branch(), None);
    assert_eq!(again.dir, artifacts[0].dir);

    ws.store.garbage_collect(&owner("obj"), 2).unwrap();
    assert!(artifacts[0].dir.is_dir(), "re-stored artifact is the newest");
    assert!(artifacts[3].dir.is_dir());
    assert!(!artifacts[1].dir.exists());
    assert!(!artifacts[2].dir.exists());

    ws.store.garbage_collect(&owner("missing"), 2).unwrap();
    ws.store.remove_all(&owner("obj")).unwrap();
    assert!(!ws.store.root().join("gitrepository/ns/obj").exists());
}

/// Any source kind stores a tar stream: the same canonical digest as the same tree from Git,
/// files read-only, unsafe paths refusing the whole artifact and leaving nothing behind.
#[test]
fn a_tar_stream_is_stored_with_the_tree_digest() {
    let repo = Repo::new();
    repo.write("deploy/app.yaml", "kind: ConfigMap\n");
    repo.commit("app");
    let ws = Workspace::new();
    let from_git = ws.artifact(&repo, main_branch(), None);

    let mut builder = tar::Builder::new(Vec::new());
    for (path, contents) in [("./README.md", "hello\n"), ("deploy/app.yaml", "kind: ConfigMap\n")] {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, path, contents.as_bytes()).unwrap();
    }
    let archive = builder.into_inner().unwrap();
    let oci = weir_source::ArtifactOwner::new("OCIRepository", "ns", "app").unwrap();
    let stored = ws.store.put(&oci, "latest@sha256:abc", archive.as_slice(), None).unwrap();
    assert_eq!(stored.digest, from_git.digest);
    assert_eq!(stored.path, format!("ocirepository/ns/app/{}", stored.digest.trim_start_matches("sha256:")));
    assert_eq!(stored.revision, "latest@sha256:abc");
    assert_eq!(list_files(&stored.dir), ["README.md", "deploy/app.yaml"]);
    assert_eq!(std::fs::metadata(stored.dir.join("README.md")).unwrap().permissions().mode() & 0o777, 0o444);

    // `..` in a path: refused, and no staging directory is left.
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    let name = b"../escape";
    header.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name);
    header.set_size(1);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append(&header, &b"x"[..]).unwrap();
    let archive = builder.into_inner().unwrap();
    let bad = weir_source::ArtifactOwner::new("Bucket", "ns", "bad").unwrap();
    let error = ws.store.put(&bad, "r", archive.as_slice(), None).unwrap_err();
    assert!(matches!(error, weir_source::StoreError::UnsafePath(_)), "{error}");
    let leftovers: Vec<_> = std::fs::read_dir(ws.store.root().join("bucket/ns/bad")).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
