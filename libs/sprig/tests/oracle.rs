//! Every case of `tests/oracle/cases.out`: a template line, rendered with
//! weir-gotemplate and these functions, against what Helm 3.18 rendered
//! (`tests/oracle/regenerate.sh` records Helm's output). An error is
//! compared from the failing command on (`<div 1 0>: error calling div: …`).

use weir_gotemplate::{Templates, Value};

/// Cases whose output differs on every run (random or the current time);
/// their expectations hold only lengths or patterns the template computes.
fn render(text: &str) -> String {
    let mut templates = Templates::new(weir_sprig::functions());
    let rendered =
        templates.parse("body", text).and_then(|()| templates.execute("body", Value::map(Default::default())));
    match rendered {
        Ok(out) => out,
        Err(e) => {
            let message = e.to_string();
            let detail = message.split_once("executing \"body\" at ").map_or(message.as_str(), |(_, d)| d);
            format!("ERROR {detail}")
        }
    }
}

#[test]
fn templates_render_as_helm_renders_them() {
    let cases = include_str!("oracle/cases.out");
    let mut failures = Vec::new();
    let mut count = 0;
    for case in cases.split("\n----\n").filter(|c| !c.trim().is_empty()) {
        let Some((template, expected)) = case.split_once("\n=>\n") else { panic!("malformed case: {case}") };
        count += 1;
        let got = render(template);
        if got != expected {
            failures.push(format!("{template}\n  got:  {got:?}\n  want: {expected:?}"));
        }
    }
    assert!(count > 50, "only {count} cases");
    assert!(failures.is_empty(), "{} of {count} cases differ:\n{}", failures.len(), failures.join("\n"));
}
