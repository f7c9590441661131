//! Flux's post-build variable substitution: `${var}`, `${var:=default}`,
//! `${var:-default}`, `${var=default}`, `${var-default}`, `${#var}`, and `$${var}`
//! for a literal `${var}`. Bare `$var` is left alone, as Flux does, so shell
//! snippets in manifests survive.

use std::collections::BTreeMap;

/// Why substitution failed.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubstituteError {
    #[error("'{0}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'")]
    InvalidName(String),
    #[error("variable not set (strict mode): \"{0}\"")]
    Unset(String),
    #[error("unterminated variable reference: \"{0}\"")]
    Unterminated(String),
}

/// Checks variable names as Flux does before substituting.
pub fn validate_names<'a>(names: impl IntoIterator<Item = &'a String>) -> Result<(), SubstituteError> {
    match names.into_iter().find(|name| !is_name(name)) {
        Some(name) => Err(SubstituteError::InvalidName(name.clone())),
        None => Ok(()),
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first == '_' || first.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Replaces the references in `text`. In `strict` mode an unset variable
/// without a default is an error; otherwise it becomes empty.
pub fn substitute(text: &str, vars: &BTreeMap<String, String>, strict: bool) -> Result<String, SubstituteError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        if after.starts_with("$${") {
            // `$${var}` is an escaped `${var}`.
            out.push('$');
            rest = &after[2..];
            let end = rest.find('}').map_or(rest.len(), |end| end + 1);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if !after.starts_with("${") {
            out.push('$');
            rest = &after[1..];
            continue;
        }
        let body_start = 2;
        let end = closing_brace(&after[body_start..])
            .ok_or_else(|| SubstituteError::Unterminated(after.chars().take(40).collect()))?;
        let body = &after[body_start..body_start + end];
        out.push_str(&expand(body, vars, strict)?);
        rest = &after[body_start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The index of the `}` that closes a reference, allowing nested `${...}` in defaults.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (index, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(index),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn expand(body: &str, vars: &BTreeMap<String, String>, strict: bool) -> Result<String, SubstituteError> {
    if let Some(name) = body.strip_prefix('#').filter(|name| is_name(name)) {
        return Ok(vars.get(name).map_or(0, |value| value.chars().count()).to_string());
    }
    let name_end = body.find(|c: char| !(c == '_' || c.is_ascii_alphanumeric())).unwrap_or(body.len());
    let (name, operator) = body.split_at(name_end);
    if !is_name(name) {
        // Not a variable reference (e.g. `${1}` or `${ x }`): keep it as written.
        return Ok(format!("${{{body}}}"));
    }
    let value = vars.get(name);
    let (default, when_empty) = match operator {
        "" => {
            return match value {
                Some(value) => Ok(value.clone()),
                None if strict => Err(SubstituteError::Unset(name.to_owned())),
                None => Ok(String::new()),
            };
        }
        _ if operator.starts_with(":=") || operator.starts_with(":-") => (&operator[2..], true),
        _ if operator.starts_with('=') || operator.starts_with('-') => (&operator[1..], false),
        _ => return Ok(format!("${{{body}}}")),
    };
    match value {
        Some(value) if !(when_empty && value.is_empty()) => Ok(value.clone()),
        _ => substitute(default, vars, strict),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("cluster", "prod"), ("empty", ""), ("replicas", "3")].map(|(k, v)| (k.to_owned(), v.to_owned())).into()
    }

    #[test]
    fn references_and_defaults() {
        let vars = vars();
        let run = |text: &str| substitute(text, &vars, false).unwrap();
        assert_eq!(run("name: web-${cluster}"), "name: web-prod");
        assert_eq!(run("replicas: ${replicas}"), "replicas: 3");
        assert_eq!(run("a: ${missing}"), "a: ");
        assert_eq!(run("a: ${missing:=eu-1}"), "a: eu-1");
        assert_eq!(run("a: ${missing:-eu-1}"), "a: eu-1");
        assert_eq!(run("a: ${empty:=x} ${empty=y} ${empty:-z} ${empty-w}"), "a: x  z ");
        assert_eq!(run("a: ${missing:=${cluster}-b}"), "a: prod-b");
        assert_eq!(run("len: ${#cluster}"), "len: 4");
        assert_eq!(run("keep: $cluster $$ $1 ${1}"), "keep: $cluster $$ $1 ${1}");
        assert_eq!(run("escaped: $${cluster}"), "escaped: ${cluster}");
    }

    #[test]
    fn strict_mode_and_errors() {
        let vars = vars();
        assert_eq!(substitute("${missing}", &vars, true), Err(SubstituteError::Unset("missing".into())));
        assert_eq!(substitute("${missing:=ok}", &vars, true).unwrap(), "ok");
        assert!(matches!(substitute("${cluster", &vars, false), Err(SubstituteError::Unterminated(_))));
        assert_eq!(validate_names(&["ok_1".to_owned()]), Ok(()));
        assert_eq!(validate_names(&["bad-name".to_owned()]), Err(SubstituteError::InvalidName("bad-name".into())));
    }
}
