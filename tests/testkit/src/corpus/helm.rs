//! `testdata/helm/`: charts rendered by `helm template` (Helm v3.18.0, the
//! oracle) and by weir. Each run must give the same stdout byte for byte, or
//! fail in both with the run's phrase in both stderrs. Nothing is
//! downloaded; templates print no random, time-of-day or version-dependent
//! text (dates come from fixed `toDate` strings, so run both sides with `TZ=UTC`).
//!
//! `case.yaml`:
//! - `chart`: the chart's folder inside `tree/`;
//! - `packaged`: chart folders (inner ones first) turned into `<dir>.tgz`
//!   next to themselves, the folder removed, before any run;
//! - `runs`: each with `args` (after `template`) and, when it must fail,
//!   `fails: <phrase>`. `CHART` stands for the chart (its folder, or its
//!   `.tgz` when the chart itself is packaged) and `FILE:<rel>` for a path
//!   inside the tree, anywhere in an argument (`--set-file k=FILE:a.txt`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    chart: String,
    #[serde(default)]
    packaged: Vec<String>,
    runs: Vec<RunSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunSpec {
    args: Vec<String>,
    fails: Option<String>,
}

pub struct Case {
    /// The case folder's name.
    pub name: String,
    /// The chart's folder inside the tree.
    pub chart: String,
    pub packaged: Vec<String>,
    pub runs: Vec<Run>,
    /// `tree/` in the corpus: read it, never write it ([`Case::copy`] gives a copy to work in).
    pub tree: PathBuf,
}

pub struct Run {
    pub args: Vec<String>,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Both exit 0 with byte-identical stdout.
    Renders,
    /// Both fail, and both stderrs contain the phrase.
    Fails(String),
}

/// Every case, by name.
pub fn cases() -> Vec<Case> {
    super::load::<Spec>("helm")
        .into_iter()
        .map(|(name, dir, spec)| Case {
            name,
            chart: spec.chart,
            packaged: spec.packaged,
            runs: spec
                .runs
                .into_iter()
                .map(|run| Run { args: run.args, outcome: run.fails.map_or(Outcome::Renders, Outcome::Fails) })
                .collect(),
            tree: dir.join("tree"),
        })
        .collect()
}

impl Case {
    /// A fresh copy of the tree with the `packaged` charts packaged.
    pub fn copy(&self) -> tempfile::TempDir {
        let copy = super::copy_tree(&self.tree);
        for dir in &self.packaged {
            package(copy.path(), dir);
        }
        copy
    }

    /// The chart argument inside a copy: the folder, or its archive when packaged.
    pub fn chart_path(&self, copy: &Path) -> PathBuf {
        if self.packaged.contains(&self.chart) {
            copy.join(format!("{}.tgz", self.chart))
        } else {
            copy.join(&self.chart)
        }
    }

    /// The run's arguments with `CHART` and `FILE:` resolved against a copy.
    pub fn args(&self, copy: &Path, run: &Run) -> Vec<String> {
        let prefix = format!("{}/", copy.display());
        run.args
            .iter()
            .map(|arg| match arg.as_str() {
                "CHART" => self.chart_path(copy).display().to_string(),
                arg => arg.replace("FILE:", &prefix),
            })
            .collect()
    }
}

/// `tar czf <dir>.tgz` with the entries under `<basename>/`, as `helm
/// package` lays them out (GNU tar also stores the directories).
fn package(root: &Path, dir: &str) {
    let source = root.join(dir);
    let parent = source.parent().expect("a chart folder inside the tree");
    let base = source.file_name().and_then(|name| name.to_str()).expect("a chart folder named in UTF-8");
    let status = Command::new("tar")
        .args(["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-czf"])
        .arg(parent.join(format!("{base}.tgz")))
        .arg("-C")
        .arg(parent)
        .arg(base)
        .status()
        .expect("tar packages the charts");
    assert!(status.success(), "tar czf {dir}.tgz failed");
    std::fs::remove_dir_all(&source).unwrap();
}
