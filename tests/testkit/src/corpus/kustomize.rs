//! `testdata/kustomize/`: kustomization trees built by `kubectl kustomize`
//! (kustomize v5.5.0, the oracle) and by weir, which must print the same
//! bytes (and warnings), or both fail.
//!
//! `case.yaml` fields, all optional:
//! - `root`: the folder inside `tree/` to build (the tree itself if absent);
//! - `loadRestrictor: none`: build with `--load-restrictor LoadRestrictionsNone`;
//! - `error`: the case must fail, and weir with this error kind (the WIT
//!   error code: `invalid-input`, `not-found`, `conflict`, `load-restricted`, `unsupported`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub struct Case {
    /// The case folder's name.
    pub name: String,
    /// The folder to build, relative to the tree.
    pub root: String,
    pub load_restrictions_none: bool,
    /// The error kind weir must report; `None` when the case must build.
    pub error: Option<String>,
    /// `tree/` in the corpus: read it, never write it ([`Case::copy`] gives a copy to work in).
    pub tree: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Spec {
    #[serde(default)]
    root: String,
    load_restrictor: Option<LoadRestrictor>,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum LoadRestrictor {
    None,
    RootOnly,
}

/// Every case, by name.
pub fn cases() -> Vec<Case> {
    super::load::<Spec>("kustomize")
        .into_iter()
        .map(|(name, dir, spec)| Case {
            name,
            root: spec.root,
            load_restrictions_none: matches!(spec.load_restrictor, Some(LoadRestrictor::None)),
            error: spec.error,
            tree: dir.join("tree"),
        })
        .collect()
}

impl Case {
    /// A fresh copy of the tree; build [`Case::root_in`] of it.
    pub fn copy(&self) -> tempfile::TempDir {
        super::copy_tree(&self.tree)
    }

    /// The folder to build inside a copy of the tree.
    pub fn root_in(&self, copy: &Path) -> PathBuf {
        copy.join(&self.root)
    }
}
