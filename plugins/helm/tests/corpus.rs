//! Sanity of the `helm template` conformance corpus (`testdata/helm`),
//! without helm: names are unique, the trees copy out (packaged charts
//! become archives), the files a run points at exist, and the YAML and JSON a
//! chart is made of is well formed, except where a case breaks it on purpose.
//! Helm itself checks the corpus in host/cli/tests/helm_conformance.rs.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use weir_testkit::corpus::helm::{self, Case, Outcome};

/// Files broken on purpose, for the error runs: (case, path).
const BROKEN: &[(&str, &str)] = &[
    ("error-chart-files", "badvalues.yaml"),
    ("error-chart-files", "badvaluesfile/values.yaml"),
    ("error-chart-files", "noname/Chart.yaml"),
];

#[test]
fn corpus_is_large_and_names_are_unique() {
    let cases = helm::cases();
    assert!(cases.len() >= 30, "only {} charts", cases.len());
    let mut names = HashSet::new();
    for case in &cases {
        assert!(names.insert(&case.name), "two cases are named {}", case.name);
        assert!(!case.runs.is_empty(), "{} has no runs", case.name);
        for run in &case.runs {
            assert!(
                run.args.iter().any(|a| a == "CHART" || a.starts_with("FILE:")),
                "{}: {:?} names no chart",
                case.name,
                run.args
            );
            if let Outcome::Fails(phrase) = &run.outcome {
                assert!(!phrase.trim().is_empty(), "{}: empty phrase", case.name);
            }
        }
    }
}

#[test]
fn trees_write_out_with_their_archives() {
    for case in helm::cases() {
        let tree = case.copy();
        for dir in &case.packaged {
            // an inner archive now lives inside its parent's
            if case.packaged.iter().any(|outer| dir.starts_with(&format!("{outer}/"))) {
                continue;
            }
            let archive = tree.path().join(format!("{dir}.tgz"));
            assert!(archive.is_file(), "{}: {dir}.tgz missing", case.name);
            assert!(!tree.path().join(dir).exists(), "{}: {dir} left next to its archive", case.name);
            let gzip_magic = std::fs::read(&archive).unwrap()[..2] == [0x1f, 0x8b];
            assert!(gzip_magic, "{}: {dir}.tgz is not gzip", case.name);
        }
        let chart = case.chart_path(tree.path());
        assert!(chart.exists(), "{}: chart {} missing", case.name, chart.display());
        for run in case.runs.iter().filter(|run| run.outcome == Outcome::Renders) {
            for arg in case.args(tree.path(), run) {
                let root = tree.path().display().to_string();
                // -f a.yaml,b.yaml: every FILE: path of a rendering run exists
                for path in arg.split([',', '=']).filter(|part| part.starts_with(&root)) {
                    assert!(Path::new(path).exists(), "{}: {:?} points at missing {path}", case.name, run.args);
                }
            }
        }
    }
}

/// Files the corpus meant as values or chart metadata: every Chart.yaml,
/// values.yaml and requirements.yaml, and the files passed with -f.
fn yaml_files(case: &Case) -> Vec<String> {
    let mut paths: Vec<String> = files(&case.tree)
        .into_iter()
        .filter(|path| {
            path.ends_with("Chart.yaml") || path.ends_with("values.yaml") || path.ends_with("requirements.yaml")
        })
        .collect();
    for run in &case.runs {
        for pair in run.args.windows(2) {
            if pair[0] == "-f" || pair[0] == "--values" {
                paths.extend(pair[1].split(',').filter_map(|file| file.strip_prefix("FILE:")).map(str::to_owned));
            }
        }
    }
    paths.sort_unstable();
    paths.dedup();
    paths
}

/// Every file under `tree`, as a path relative to it.
fn files(tree: &Path) -> Vec<String> {
    fn walk(dir: &Path, tree: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, tree, out);
            } else {
                out.push(path.strip_prefix(tree).unwrap().to_str().unwrap().to_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(tree, tree, &mut out);
    out
}

fn content(case: &Case, path: &str) -> Option<String> {
    std::fs::read_to_string(case.tree.join(path)).ok()
}

#[test]
fn chart_yaml_and_values_are_well_formed() {
    let mut problems = Vec::new();
    for case in helm::cases() {
        for path in yaml_files(&case) {
            let Some(text) = content(&case, &path) else { continue }; // a missing -f file, on purpose
            let broken = BROKEN.contains(&(case.name.as_str(), path.as_str()));
            let verdict = yaml::check(&text).and_then(|keys| {
                if !path.ends_with("Chart.yaml") {
                    return Ok(());
                }
                let missing: Vec<_> =
                    ["apiVersion", "name", "version"].into_iter().filter(|k| !keys.contains(&k.to_string())).collect();
                if missing.is_empty() { Ok(()) } else { Err(format!("Chart.yaml lacks {missing:?}")) }
            });
            match (verdict, broken) {
                (Ok(()), false) | (Err(_), true) => {}
                (Ok(()), true) => problems.push(format!("{}: {path} is listed as broken but checks out", case.name)),
                (Err(err), false) => problems.push(format!("{}: {path}: {err}", case.name)),
            }
        }
        for path in
            files(&case.tree).into_iter().filter(|path| path.ends_with(".json") && !path.contains("/templates/"))
        {
            let text = content(&case, &path).unwrap();
            if let Err(err) = serde_json::from_str::<serde_json::Value>(&text) {
                problems.push(format!("{}: {path}: {err}", case.name));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_yaml_check_catches_what_it_should() {
    assert_eq!(yaml::check("a: 1\nb:\n  c: [1, 2]\n  d:\n  - x\n  - y: 2\n    z: 3\n").unwrap(), ["a", "b"]);
    assert!(yaml::check("s: |\n  text: with colon\n    deeper\nnext: 1\n").is_ok());
    assert!(yaml::check("{}\n").is_ok());
    assert!(yaml::check("").is_ok());
    assert!(yaml::check("key: value\n  bad: indent\n").is_err());
    assert!(yaml::check("a: [unclosed\n").is_err());
    assert!(yaml::check("a:\n\tb: 1\n").is_err());
    assert!(yaml::check("a:\n  - x\n  y: 1\n").is_err());
    assert!(yaml::check("a: \"open\n").is_err());
}

/// A small checker for the block-style YAML the corpus writes by hand:
/// mappings, sequences, one-line flow collections, quoted scalars, block
/// scalars and comments. It reports tabs, stray indentation, mixed
/// containers and unbalanced flow or quotes, and returns the top-level keys.
mod yaml {
    #[derive(PartialEq, Clone, Copy, Debug)]
    enum Kind {
        Map,
        Seq,
    }

    pub fn check(text: &str) -> Result<Vec<String>, String> {
        let mut stack: Vec<(usize, Kind)> = Vec::new();
        let mut keys = Vec::new();
        // A key or item whose value may follow on deeper lines, at this indent.
        let mut open: Option<usize> = None;
        // Inside a block scalar belonging to a line at this indent.
        let mut block: Option<usize> = None;
        for (number, line) in text.lines().enumerate() {
            let at = |msg: String| format!("line {}: {msg}: {line:?}", number + 1);
            let indent = line.len() - line.trim_start_matches(' ').len();
            let rest = &line[indent..];
            if let Some(owner) = block {
                if rest.trim().is_empty() || indent > owner {
                    continue;
                }
                block = None;
            }
            if rest.trim().is_empty() || rest.starts_with('#') {
                continue;
            }
            if rest.starts_with('\t') {
                return Err(at("tab in indentation".into()));
            }
            if stack.is_empty() && open.is_none() && (rest.starts_with('{') || rest.starts_with('[')) {
                flow(rest).map_err(at)?; // a whole document in flow style
                continue;
            }
            let item = rest == "-" || rest.starts_with("- ");
            let kind = if item { Kind::Seq } else { Kind::Map };
            match open.take() {
                Some(parent)
                    if indent > parent || (indent == parent && item && kind_at(&stack, parent) == Some(Kind::Map)) =>
                {
                    stack.push((indent, kind))
                }
                _ => {
                    while stack.last().is_some_and(|(i, _)| *i > indent) {
                        stack.pop();
                    }
                    // back from a sequence written at its key's own indentation
                    let len = stack.len();
                    if !item
                        && len >= 2
                        && stack[len - 1] == (indent, Kind::Seq)
                        && stack[len - 2] == (indent, Kind::Map)
                    {
                        stack.pop();
                    }
                    match stack.last() {
                        None => stack.push((indent, kind)),
                        Some((i, k)) if *i == indent && *k == kind => {}
                        Some((i, _)) if *i == indent => return Err(at("mapping and sequence mixed".into())),
                        Some(_) => return Err(at("unexpected indentation".into())),
                    }
                }
            }
            // Item bodies: "- key: value" opens a mapping two columns in.
            let (mut column, mut body) = (indent, rest);
            while body == "-" || body.starts_with("- ") {
                let dash = column;
                let inner = body[1..].trim_start();
                column += body.len() - inner.len();
                body = inner;
                if body.is_empty() {
                    open = Some(dash);
                    break;
                }
                if entry(body).is_some() {
                    stack.push((column, Kind::Map));
                } else if body == "-" || body.starts_with("- ") {
                    stack.push((column, Kind::Seq));
                }
            }
            if body.is_empty() {
                continue;
            }
            let value = match entry(body) {
                Some((key, value)) => {
                    if stack.len() == 1 && indent == 0 {
                        keys.push(key.trim_matches(['"', '\'']).to_owned());
                    }
                    value
                }
                None if item => body,
                None => return Err(at("neither a key nor an item".into())),
            };
            let value = strip_comment(value.trim());
            if value.is_empty() {
                open = Some(column);
            } else if value.starts_with('|') || value.starts_with('>') {
                block = Some(indent);
            } else {
                scalar_or_flow(value).map_err(at)?;
            }
        }
        Ok(keys)
    }

    fn kind_at(stack: &[(usize, Kind)], indent: usize) -> Option<Kind> {
        stack.iter().rev().find(|(i, _)| *i == indent).map(|(_, k)| *k)
    }

    /// `key: value` or `key:` (a quoted key may hold anything).
    fn entry(body: &str) -> Option<(&str, &str)> {
        let end = match body.chars().next()? {
            q @ ('"' | '\'') => body[1..].find(q)? + 2,
            '[' | '{' => return None,
            _ => 0,
        };
        let colon = body[end..].find(": ").map(|i| i + end).or_else(|| body.ends_with(':').then(|| body.len() - 1))?;
        let key = &body[..colon];
        (!key.is_empty() && !key.contains(" #")).then(|| (key, &body[colon + 1..]))
    }

    fn strip_comment(value: &str) -> &str {
        if value.starts_with(['"', '\'', '[', '{']) {
            return value;
        }
        value.find(" #").map_or(value, |i| value[..i].trim_end())
    }

    fn scalar_or_flow(value: &str) -> Result<(), String> {
        match value.chars().next() {
            Some('[' | '{') => flow(value),
            Some(q @ ('"' | '\'')) => {
                let close = value[1..].rfind(q).map(|i| i + 1).ok_or("unclosed quote")?;
                let after = value[close + 1..].trim();
                if after.is_empty() || after.starts_with('#') {
                    Ok(())
                } else {
                    Err("text after a quoted scalar".into())
                }
            }
            _ => Ok(()),
        }
    }

    /// One-line flow collection: brackets balance outside quotes.
    fn flow(value: &str) -> Result<(), String> {
        let (mut depth, mut quote) = (Vec::new(), None);
        for c in value.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => depth.push(c),
                (None, ']') if depth.pop() == Some('[') => {}
                (None, '}') if depth.pop() == Some('{') => {}
                (None, ']' | '}') => return Err("unbalanced flow collection".into()),
                _ => {}
            }
        }
        if depth.is_empty() && quote.is_none() { Ok(()) } else { Err("unclosed flow collection".into()) }
    }
}
