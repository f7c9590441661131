//! Conformance: each case of `testdata/kustomize` is built by `kubectl
//! kustomize` (kustomize v5.5.0, the oracle) and by `weir_kustomize::render`;
//! outputs must be byte-equal, or both must fail (weir with the case's error kind).

use std::process::Command;

use weir_kustomize::{BuildOptions, LoadRestrictor, render};
use weir_testkit::corpus::kustomize;

#[test]
fn conformance_with_kubectl_kustomize() {
    let mut failures = Vec::new();
    let (mut passed, mut errors_agreed) = (0, 0);
    let cases = kustomize::cases();
    for case in &cases {
        let tree = case.copy();
        let root = case.root_in(tree.path());
        let mut cmd = Command::new("kubectl");
        cmd.arg("kustomize").arg(&root);
        if case.load_restrictions_none {
            cmd.arg("--load-restrictor").arg("LoadRestrictionsNone");
        }
        let out = cmd.output().expect("kubectl must be installed (it is the oracle)");
        let opts = BuildOptions {
            load_restrictor: if case.load_restrictions_none { LoadRestrictor::None } else { LoadRestrictor::RootOnly },
            ..Default::default()
        };
        let ours = render(&root, &opts);
        match (out.status.success(), ours) {
            (true, Ok(_)) if case.error.is_some() => {
                failures.push(format!("== {}: an error case, but kubectl succeeded", case.name))
            }
            (true, Ok(rendered)) => {
                let want = String::from_utf8(out.stdout).unwrap();
                let text = rendered.yaml_stream();
                let want_warnings: Vec<String> = String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .filter_map(|l| l.strip_prefix("# Warning: "))
                    .map(str::to_string)
                    .collect();
                if want == text && want_warnings == rendered.warnings {
                    passed += 1;
                } else if want == text {
                    failures.push(format!(
                        "== {}: warnings differ\n--- kubectl\n{want_warnings:?}\n--- weir\n{:?}",
                        case.name, rendered.warnings
                    ));
                } else {
                    failures.push(format!("== {}: output differs\n--- kubectl\n{want}\n--- weir\n{text}", case.name));
                }
            }
            (false, Err(e)) if case.error.is_none() => {
                failures.push(format!("== {}: both fail but case.yaml names no error: {e}", case.name))
            }
            (false, Err(e)) => {
                if std::env::var_os("SHOW_ERRORS").is_some() {
                    eprintln!("{}: [{}] {e}", case.name, e.wit_case());
                }
                match case.error.as_deref() {
                    Some(kind) if kind != e.wit_case() => {
                        failures.push(format!("== {}: expected a {kind} error, got [{}] {e}", case.name, e.wit_case()))
                    }
                    _ => {
                        passed += 1;
                        errors_agreed += 1;
                    }
                }
            }
            (true, Err(e)) => failures.push(format!("== {}: kubectl succeeded, weir failed: {e}", case.name)),
            (false, Ok(rendered)) => failures.push(format!(
                "== {}: kubectl failed ({}), weir succeeded:\n{}",
                case.name,
                String::from_utf8_lossy(&out.stderr),
                rendered.yaml_stream()
            )),
        }
    }
    eprintln!("conformance: {passed}/{} cases agree ({errors_agreed} error cases)", cases.len());
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
