//! Which files of a checkout stay out of the artifact, with source-controller's rules.
//!
//! Flux collects patterns from every `.sourceignore` in the tree (each scoped to its directory,
//! in walk order) followed by `spec.ignore` (scoped to the root). When that collection is empty,
//! its default exclusions apply; otherwise only the VCS exclusions plus the collected patterns do.
//! So `spec.ignore` replaces the defaults, and so does a `.sourceignore` file.
//! Matching follows go-git's gitignore: the last pattern that matches a path, or one of its
//! parent directories, decides.

use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// The name of the per-directory ignore file.
pub const SOURCE_IGNORE_FILE: &str = ".sourceignore";

/// Always excluded: version control metadata (fluxcd/pkg `sourceignore.ExcludeVCS`).
pub const VCS_EXCLUDES: &[&str] = &[".git/", ".gitignore", ".gitmodules", ".gitattributes"];

/// Binary media and archives (`sourceignore.ExcludeExt`).
pub const EXT_EXCLUDES: &[&str] = &["*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip"];

/// With [`EXT_EXCLUDES`], excluded from a GitRepository's artifact unless `spec.ignore` or a
/// `.sourceignore` file says otherwise: CI and tool configuration (`ExcludeCI`, `ExcludeExtra`).
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".github/",
    ".circleci/",
    ".travis.yml",
    ".gitlab-ci.yml",
    "appveyor.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "codeship-services.yml",
    "codeship-steps.yml",
    "**/.goreleaser.yml",
    "**/.sops.yaml",
    "**/.flux.yaml",
];

/// A GitRepository's ignore configuration: `spec.ignore`, if set. The `.sourceignore` files come
/// from the tree being stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IgnoreRules {
    spec: Option<String>,
}

impl IgnoreRules {
    pub fn new(spec_ignore: Option<&str>) -> Self {
        IgnoreRules { spec: spec_ignore.map(str::to_owned) }
    }

    /// The rules for a tree whose `.sourceignore` files are `source_ignores`: (directory relative
    /// to the root, "" for the root; file content), in the order a walk of the tree finds them.
    pub fn matcher(&self, source_ignores: &[(PathBuf, String)]) -> IgnoreMatcher {
        let mut collected = Vec::new();
        for (dir, content) in source_ignores {
            push_patterns(&mut collected, dir, content.lines());
        }
        if let Some(spec) = &self.spec {
            push_patterns(&mut collected, Path::new(""), spec.lines());
        }
        let mut rules = Vec::new();
        if collected.is_empty() {
            let defaults = VCS_EXCLUDES.iter().chain(EXT_EXCLUDES).chain(DEFAULT_EXCLUDES);
            push_patterns(&mut rules, Path::new(""), defaults.copied());
        } else {
            push_patterns(&mut rules, Path::new(""), VCS_EXCLUDES.iter().copied());
            rules.extend(collected);
        }
        IgnoreMatcher { rules }
    }

    /// A Bucket's rules: the bucket root's `.sourceignore` (`None` when it has none), then
    /// `spec.ignore`, and nothing else — source-controller applies neither the VCS nor the
    /// default exclusions to a bucket's objects.
    pub fn bucket_matcher(&self, source_ignore: Option<&str>) -> IgnoreMatcher {
        let mut rules = Vec::new();
        if let Some(content) = source_ignore {
            push_patterns(&mut rules, Path::new(""), content.lines());
        }
        if let Some(spec) = &self.spec {
            push_patterns(&mut rules, Path::new(""), spec.lines());
        }
        IgnoreMatcher { rules }
    }
}

/// One pattern, scoped to a directory.
#[derive(Debug, Clone)]
struct Rule {
    dir: PathBuf,
    pattern: Gitignore,
}

/// Compiled rules for one tree.
#[derive(Debug, Clone)]
pub struct IgnoreMatcher {
    rules: Vec<Rule>,
}

impl IgnoreMatcher {
    /// Patterns anchored at the root, one a line (entries may hold several lines), as
    /// `flux build|push artifact --ignore-paths` takes them.
    pub fn from_patterns(patterns: &[String]) -> Self {
        let mut rules = Vec::new();
        push_patterns(&mut rules, Path::new(""), patterns.iter().flat_map(|entry| entry.lines()));
        IgnoreMatcher { rules }
    }

    /// Whether the file at `path` (relative to the tree's root) is left out.
    pub fn is_ignored(&self, path: &Path) -> bool {
        self.is_ignored_entry(path, false)
    }

    /// Whether the file or directory at `path` (relative to the tree's root) is left out.
    pub fn is_ignored_entry(&self, path: &Path, is_dir: bool) -> bool {
        // Each pattern is its own matcher so the last matching pattern across all files wins,
        // at whatever depth it matches (go-git's order), rather than the deepest match.
        for rule in self.rules.iter().rev() {
            let Ok(relative) = path.strip_prefix(&rule.dir) else {
                continue;
            };
            if relative.as_os_str().is_empty() {
                continue;
            }
            match rule.pattern.matched_path_or_any_parents(relative, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }
}

fn push_patterns<'a>(rules: &mut Vec<Rule>, dir: &Path, lines: impl Iterator<Item = &'a str>) {
    for line in lines {
        let trimmed = line.trim_end_matches('\r');
        if trimmed.trim().is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // Root "." makes the matcher take paths as given (relative to `dir`, stripped above).
        let mut builder = GitignoreBuilder::new(".");
        // An invalid glob is skipped, as go-git does, rather than failing the whole artifact.
        if let Err(err) = builder.add_line(None, trimmed) {
            tracing::warn!(pattern = trimmed, error = %err, "skipping invalid ignore pattern");
            continue;
        }
        match builder.build() {
            Ok(pattern) => rules.push(Rule { dir: dir.to_path_buf(), pattern }),
            Err(err) => tracing::warn!(pattern = trimmed, error = %err, "skipping invalid ignore pattern"),
        }
    }
}
