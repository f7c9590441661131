//! `weir helm template` (the chart renderer plugin, in its sandbox) against
//! `helm template` (Helm v3.18, the oracle) on every chart and run of the
//! helm conformance corpus: the same stdout byte for byte, or both fail with
//! the run's phrase in both stderrs, nothing on weir's stdout, and weir's
//! stderr starting with `Error: ` as helm's does. The corpus is `testdata/helm`.

use std::path::Path;
use std::process::{Command, Output};

use weir_testkit::corpus::helm::{self, Case, Outcome, Run};

/// Runs `helm template` in a clean environment: no HELM_* settings, no
/// kubeconfig (whose namespace would become the default), its own homes.
fn helm_template(args: &[String], home: &Path) -> Output {
    let mut command = Command::new("helm");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HELM_") {
            command.env_remove(key);
        }
    }
    command
        .arg("template")
        .args(args)
        .env("TZ", "UTC")
        .env("KUBECONFIG", home.join("no-kubeconfig"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .expect("helm is the oracle")
}

fn weir_helm_template(args: &[String]) -> Output {
    let mut command = weir_testkit::paths::weir(env!("CARGO_BIN_EXE_weir"));
    command.args(["helm", "template"]).args(args).env("TZ", "UTC");
    command.output().unwrap()
}

/// Fails the test unless the oracle is there, and is the Helm the corpus was
/// written against.
fn require_helm() {
    let version = match Command::new("helm").args(["version", "--template", "{{ .Version }}"]).output() {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout).into_owned(),
        Ok(output) => panic!("`helm version` failed: {}", String::from_utf8_lossy(&output.stderr)),
        Err(err) => {
            panic!("helm (v3.18) is the oracle of this test and is not on PATH ({err}); scripts/setup installs it")
        }
    };
    assert!(
        version.starts_with("v3.18."),
        "the helm corpus was checked against Helm v3.18, but `helm` is {version}; scripts/setup installs v3.18.0"
    );
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Where two outputs part, as a line number and the two lines.
fn first_difference(want: &str, got: &str) -> String {
    let (mut want_lines, mut got_lines) = (want.split_inclusive('\n'), got.split_inclusive('\n'));
    for line in 1.. {
        match (want_lines.next(), got_lines.next()) {
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return "none (same lines)".to_owned(),
            (a, b) => return format!("line {line}\n  helm: {a:?}\n  weir: {b:?}"),
        }
    }
    unreachable!()
}

/// Compares one run; `None` when helm and weir agree.
fn check(case: &Case, run: &Run, helm: &Output, weir: &Output) -> Option<String> {
    let label = format!("{} {:?}", case.name, run.args);
    let (helm_err, weir_err) = (text(&helm.stderr), text(&weir.stderr));
    match &run.outcome {
        Outcome::Renders if !helm.status.success() => {
            Some(format!("{label}: the corpus expects a render but helm failed (corpus bug):\n{helm_err}"))
        }
        Outcome::Renders if !weir.status.success() => Some(format!("{label}: helm renders, weir failed:\n{weir_err}")),
        Outcome::Renders if helm.stdout == weir.stdout => None,
        Outcome::Renders => {
            let (want, got) = (text(&helm.stdout), text(&weir.stdout));
            Some(format!(
                "{label}: output differs, first difference at {}\n--- helm\n{want}--- weir\n{got}--- end",
                first_difference(&want, &got)
            ))
        }
        Outcome::Fails(phrase) if helm.status.success() || !helm_err.contains(phrase.as_str()) => Some(format!(
            "{label}: the corpus expects helm to fail with {phrase:?} (corpus bug); helm {}:\n{helm_err}",
            if helm.status.success() { "succeeded" } else { "said" }
        )),
        Outcome::Fails(_) if weir.status.success() => {
            Some(format!("{label}: helm fails ({helm_err}), weir succeeded:\n{}", text(&weir.stdout)))
        }
        Outcome::Fails(phrase) => {
            let mut problems = Vec::new();
            if !weir.stdout.is_empty() {
                problems.push(format!("weir's stdout is not empty:\n{}", text(&weir.stdout)));
            }
            if !weir_err.starts_with("Error: ") {
                problems.push("weir's stderr does not start with `Error: `".to_owned());
            }
            if !weir_err.contains(phrase.as_str()) {
                problems.push(format!("weir's stderr lacks {phrase:?}"));
            }
            (!problems.is_empty()).then(|| {
                format!(
                    "{label}: both fail, but {}\n--- helm stderr\n{helm_err}--- weir stderr\n{weir_err}--- end",
                    problems.join("; ")
                )
            })
        }
    }
}

#[test]
fn weir_helm_template_agrees_with_helm_template() {
    require_helm();
    let home = tempfile::tempdir().unwrap();
    let (mut failures, mut runs) = (Vec::new(), 0);
    let cases = helm::cases();
    for case in &cases {
        let tree = case.copy();
        for run in &case.runs {
            runs += 1;
            let args = case.args(tree.path(), run);
            let (helm, weir) = (helm_template(&args, home.path()), weir_helm_template(&args));
            failures.extend(check(case, run, &helm, &weir));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} runs ({} charts) disagree:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
