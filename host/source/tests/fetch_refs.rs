//! Every reference kind resolves to the right commit with Flux's revision string.

mod common;

use common::{Workspace, fetch};
use weir_source::{GitError, GitReference};
use weir_testkit::git::Repo;

#[test]
fn branch_revision_is_branch_at_sha1() {
    let repo = Repo::new();
    let ws = Workspace::new();
    let commit = fetch(&ws.client, "ns/a", &repo.url, GitReference::Branch("main".into())).unwrap();
    assert_eq!(commit.id, repo.head());
    assert_eq!(commit.revision, format!("main@sha1:{}", repo.head()));
    assert_eq!(commit.message.trim(), "initial");
}

#[test]
fn other_branch_is_fetched_not_head() {
    let repo = Repo::new();
    let main = repo.head();
    repo.git(&["checkout", "-q", "-b", "feature/x"]);
    repo.write("f.txt", "feature\n");
    let feature = repo.commit("feature");
    repo.git(&["checkout", "-q", "main"]);
    let ws = Workspace::new();
    let commit = fetch(&ws.client, "ns/a", &repo.url, GitReference::Branch("feature/x".into())).unwrap();
    assert_eq!(commit.revision, format!("feature/x@sha1:{feature}"));
    let commit = fetch(&ws.client, "ns/a", &repo.url, GitReference::Branch("main".into())).unwrap();
    assert_eq!(commit.id, main);
}

#[test]
fn lightweight_and_annotated_tags_resolve_to_commits() {
    let repo = Repo::new();
    let first = repo.head();
    repo.git(&["tag", "light"]);
    repo.write("b.txt", "b\n");
    let second = repo.commit("second");
    repo.git(&["tag", "-a", "annotated", "-m", "an annotated tag"]);
    let ws = Workspace::new();
    let light = fetch(&ws.client, "ns/a", &repo.url, GitReference::Tag("light".into())).unwrap();
    assert_eq!(light.revision, format!("light@sha1:{first}"));
    let annotated = fetch(&ws.client, "ns/a", &repo.url, GitReference::Tag("annotated".into())).unwrap();
    assert_eq!(annotated.revision, format!("annotated@sha1:{second}"));
    assert_eq!(annotated.id, second);
    assert_eq!(annotated.message.trim(), "second");
}

#[test]
fn semver_picks_the_highest_matching_tag() {
    let repo = Repo::new();
    let mut ids = Vec::new();
    for (i, tag) in ["v1.0.0", "v1.2.0", "1.10.0", "v2.0.0", "v1.11.0-rc.1", "not-a-version"].iter().enumerate() {
        repo.write("version.txt", &format!("{i}\n"));
        ids.push(repo.commit(tag));
        if i % 2 == 0 {
            repo.git(&["tag", tag]);
        } else {
            repo.git(&["tag", "-a", tag, "-m", tag]);
        }
    }
    let ws = Workspace::new();
    let url = repo.url.clone();
    let commit = fetch(&ws.client, "ns/a", &url, GitReference::Semver("^1.0.0".into())).unwrap();
    assert_eq!(commit.revision, format!("1.10.0@sha1:{}", ids[2]));
    let commit = fetch(&ws.client, "ns/a", &url, GitReference::Semver(">=1.0.0".into())).unwrap();
    assert_eq!(commit.revision, format!("v2.0.0@sha1:{}", ids[3]), "annotated tag peeled to its commit");
    let commit = fetch(&ws.client, "ns/a", &url, GitReference::Semver("~1.2".into())).unwrap();
    assert_eq!(commit.revision, format!("v1.2.0@sha1:{}", ids[1]));
    // A prerelease only matches a constraint that names one.
    let commit = fetch(&ws.client, "ns/a", &url, GitReference::Semver(">=1.11.0-rc.0 <2.0.0".into())).unwrap();
    assert_eq!(commit.revision, format!("v1.11.0-rc.1@sha1:{}", ids[4]));
}

#[test]
fn semver_without_match_is_not_found_and_bad_range_is_invalid() {
    let repo = Repo::new();
    repo.git(&["tag", "v1.0.0"]);
    let ws = Workspace::new();
    let err = fetch(&ws.client, "ns/a", &repo.url, GitReference::Semver(">=3.0.0".into())).unwrap_err();
    assert!(matches!(err, GitError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("tag matching semver '>=3.0.0' not found"), "{err}");
    let err = fetch(&ws.client, "ns/a", &repo.url, GitReference::Semver("not a range".into())).unwrap_err();
    assert!(matches!(err, GitError::InvalidReference(_)), "{err:?}");
}

#[test]
fn name_reference_uses_the_full_name() {
    let repo = Repo::new();
    repo.write("pr.txt", "pr\n");
    let pr = repo.commit("pull request");
    repo.git(&["update-ref", "refs/pull/1/head", &pr]);
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.git(&["tag", "-a", "v1", "-m", "v1"]);
    let main = repo.head();
    let ws = Workspace::new();
    let url = repo.url.clone();
    let commit = fetch(&ws.client, "ns/a", &url, GitReference::Name("refs/pull/1/head".into())).unwrap();
    assert_eq!(commit.revision, format!("refs/pull/1/head@sha1:{pr}"));
    let commit = fetch(&ws.client, "ns/a", &url, GitReference::Name("refs/heads/main".into())).unwrap();
    assert_eq!(commit.revision, format!("refs/heads/main@sha1:{main}"));
    let commit = fetch(&ws.client, "ns/a", &url, GitReference::Name("refs/tags/v1".into())).unwrap();
    assert_eq!(commit.revision, format!("refs/tags/v1@sha1:{main}"));
}

#[test]
fn commit_with_and_without_branch() {
    let repo = Repo::new();
    let old = repo.head();
    for i in 0..5 {
        repo.write("n.txt", &format!("{i}\n"));
        repo.commit(&format!("commit {i}"));
    }
    let ws = Workspace::new();
    let url = repo.url.clone();
    // The commit is deeper than the depth-1 fetch of the branch: history is fetched on demand.
    let reference = GitReference::Commit { commit: old.clone(), branch: Some("main".into()) };
    let commit = fetch(&ws.client, "ns/a", &url, reference).unwrap();
    assert_eq!(commit.revision, format!("main@sha1:{old}"));
    let reference = GitReference::Commit { commit: old.to_uppercase(), branch: None };
    let commit = fetch(&ws.client, "ns/b", &url, reference).unwrap();
    assert_eq!(commit.revision, format!("sha1:{old}"));
    assert_eq!(commit.id, old);
}

#[test]
fn missing_references_are_not_found_with_their_name() {
    let repo = Repo::new();
    let ws = Workspace::new();
    let url = repo.url.clone();
    let err = fetch(&ws.client, "ns/a", &url, GitReference::Branch("foo".into())).unwrap_err();
    assert!(matches!(err, GitError::NotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("failed to checkout and determine revision: unable to clone '{url}': branch 'foo' not found")
    );
    let err = fetch(&ws.client, "ns/a", &url, GitReference::Tag("v9".into())).unwrap_err();
    assert!(err.to_string().ends_with("tag 'v9' not found"), "{err}");
    let missing = "0123456789012345678901234567890123456789".to_owned();
    let err =
        fetch(&ws.client, "ns/a", &url, GitReference::Commit { commit: missing.clone(), branch: Some("main".into()) })
            .unwrap_err();
    assert!(err.to_string().ends_with(&format!("commit '{missing}' in branch 'main' not found")), "{err}");
    let err = fetch(&ws.client, "ns/a", &url, GitReference::Commit { commit: "abc".into(), branch: None }).unwrap_err();
    assert!(matches!(err, GitError::InvalidReference(_)), "{err:?}");
}

#[test]
fn second_fetch_is_incremental_and_sees_the_new_commit() {
    let repo = Repo::new();
    let ws = Workspace::new();
    let url = repo.url.clone();
    let first = fetch(&ws.client, "ns/a", &url, GitReference::Branch("main".into())).unwrap();
    let cache = ws.client.cache_dir("ns/a");
    let packs = |dir: &std::path::Path| {
        std::fs::read_dir(dir.join("objects/pack"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "pack"))
            .count()
    };
    assert_eq!(packs(&cache), 1);
    assert!(cache.join("shallow").is_file(), "a branch is fetched at depth 1");
    let marker = cache.join("weir-test-marker");
    std::fs::write(&marker, "kept").unwrap();

    repo.write("new.txt", "new\n");
    let second_id = repo.commit("second");
    let second = fetch(&ws.client, "ns/a", &url, GitReference::Branch("main".into())).unwrap();
    assert_ne!(first.id, second.id);
    assert_eq!(second.id, second_id);
    // Same clone (the marker survived), one more pack holding only the new objects.
    assert!(marker.exists());
    assert_eq!(packs(&cache), 2);
    // Nothing new: no new pack.
    fetch(&ws.client, "ns/a", &url, GitReference::Branch("main".into())).unwrap();
    assert_eq!(packs(&cache), 2);
}

#[test]
fn reference_precedence_follows_flux() {
    use weir_api::source::GitRepositoryRef;
    let all = GitRepositoryRef {
        branch: Some("b".into()),
        tag: Some("t".into()),
        semver: Some("s".into()),
        name: Some("refs/n".into()),
        commit: Some("c".into()),
    };
    assert_eq!(
        GitReference::from_spec(Some(&all)),
        GitReference::Commit { commit: "c".into(), branch: Some("b".into()) }
    );
    let no_commit = GitRepositoryRef { commit: None, ..all.clone() };
    assert_eq!(GitReference::from_spec(Some(&no_commit)), GitReference::Name("refs/n".into()));
    let no_name = GitRepositoryRef { name: None, ..no_commit.clone() };
    assert_eq!(GitReference::from_spec(Some(&no_name)), GitReference::Semver("s".into()));
    let no_semver = GitRepositoryRef { semver: Some(String::new()), ..no_name.clone() };
    assert_eq!(GitReference::from_spec(Some(&no_semver)), GitReference::Tag("t".into()));
    let only_branch = GitRepositoryRef { tag: None, ..no_semver };
    assert_eq!(GitReference::from_spec(Some(&only_branch)), GitReference::Branch("b".into()));
    assert_eq!(GitReference::from_spec(None), GitReference::Branch("master".into()));
    assert_eq!(GitReference::from_spec(Some(&GitRepositoryRef::default())), GitReference::Branch("master".into()));
}
