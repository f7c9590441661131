//! Ignore rules: Flux's defaults, spec.ignore replacing them, `.sourceignore` files per directory.

mod common;

use common::{Workspace, list_files};
use weir_source::GitReference;
use weir_testkit::git::Repo;

fn repo_with_noise() -> Repo {
    let repo = Repo::new();
    for path in [
        ".gitignore",
        ".github/workflows/ci.yaml",
        ".circleci/config.yml",
        ".travis.yml",
        "logo.png",
        "docs/photo.jpg",
        "release.tar.gz",
        "sub/.goreleaser.yml",
        ".sops.yaml",
        "apps/.flux.yaml",
        "apps/app.yaml",
        "cloudbuild.yaml",
    ] {
        repo.write(path, "x\n");
    }
    repo.commit("noise");
    repo
}

#[test]
fn default_exclusions_apply_without_rules() {
    let repo = repo_with_noise();
    let ws = Workspace::new();
    let artifact = ws.artifact(&repo, GitReference::Branch("main".into()), None);
    assert_eq!(list_files(&artifact.dir), ["README.md", "apps/app.yaml"]);
}

#[test]
fn spec_ignore_replaces_the_defaults_but_not_vcs_files() {
    let repo = repo_with_noise();
    let spec = "# only yaml under apps\n/*\n!/apps/\n";
    let ws = Workspace::new();
    let artifact = ws.artifact(&repo, GitReference::Branch("main".into()), Some(spec));
    assert_eq!(list_files(&artifact.dir), ["apps/.flux.yaml", "apps/app.yaml"]);

    let ws = Workspace::new();
    let artifact = ws.artifact(&repo, GitReference::Branch("main".into()), Some("*.yaml\n"));
    assert_eq!(
        list_files(&artifact.dir),
        [
            ".circleci/config.yml",
            ".github/workflows/ci.yaml",
            ".travis.yml",
            "README.md",
            "docs/photo.jpg",
            "logo.png",
            "release.tar.gz",
            "sub/.goreleaser.yml"
        ]
        .map(String::from)
        .into_iter()
        .filter(|p| !p.ends_with(".yaml"))
        .collect::<Vec<_>>()
    );
}

#[test]
fn sourceignore_files_are_scoped_to_their_directory() {
    let repo = Repo::new();
    repo.write("apps/a.yaml", "a\n");
    repo.write("apps/secret.txt", "s\n");
    repo.write("apps/.sourceignore", "*.txt\n/a.yaml\n");
    repo.write("infra/a.yaml", "a\n");
    repo.write("infra/keep.txt", "k\n");
    repo.write("infra/nested/a.yaml", "a\n");
    repo.write(".sourceignore", "infra/nested/\n");
    repo.write("logo.png", "png\n");
    repo.commit("scoped");
    let ws = Workspace::new();
    let artifact = ws.artifact(&repo, GitReference::Branch("main".into()), None);
    // A `.sourceignore` replaces the default exclusions, as in Flux: logo.png stays.
    assert_eq!(
        list_files(&artifact.dir),
        [".sourceignore", "README.md", "apps/.sourceignore", "infra/a.yaml", "infra/keep.txt", "logo.png"]
    );
    // spec.ignore comes last, so it can re-include what a `.sourceignore` excluded.
    let ws = Workspace::new();
    let artifact = ws.artifact(&repo, GitReference::Branch("main".into()), Some("!apps/secret.txt\n"));
    assert!(list_files(&artifact.dir).contains(&"apps/secret.txt".to_owned()));
}
