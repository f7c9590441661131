//! Label selectors (`a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)
//! and the field selectors every resource supports.

use serde_json::Value;

use crate::status::ApiError;

#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed label selector; empty matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector(Vec<Requirement>);

impl LabelSelector {
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let invalid =
            |why: &str| ApiError::bad_request(format!("unable to parse requirement: {why} in label selector {text:?}"));
        let mut requirements = Vec::new();
        for clause in split_top_level(text) {
            let clause = clause.trim();
            if clause.is_empty() {
                continue;
            }
            let requirement = if let Some(key) = clause.strip_prefix('!') {
                Requirement::DoesNotExist(label_key(key.trim()).map_err(|why| invalid(&why))?)
            } else if let Some((key, value)) = clause.split_once("!=") {
                Requirement::NotEquals(label_key(key.trim()).map_err(|why| invalid(&why))?, value.trim().into())
            } else if let Some((key, value)) = clause.split_once("==").or_else(|| clause.split_once('=')) {
                Requirement::Equals(label_key(key.trim()).map_err(|why| invalid(&why))?, value.trim().into())
            } else if let Some((key, values)) = set_clause(clause, " notin ") {
                Requirement::NotIn(label_key(key).map_err(|why| invalid(&why))?, values.map_err(|why| invalid(&why))?)
            } else if let Some((key, values)) = set_clause(clause, " in ") {
                Requirement::In(label_key(key).map_err(|why| invalid(&why))?, values.map_err(|why| invalid(&why))?)
            } else {
                Requirement::Exists(label_key(clause).map_err(|why| invalid(&why))?)
            };
            requirements.push(requirement);
        }
        Ok(Self(requirements))
    }

    pub fn matches(&self, object: &Value) -> bool {
        let labels = &object["metadata"]["labels"];
        let label = |key: &str| labels.get(key).and_then(Value::as_str);
        self.0.iter().all(|requirement| match requirement {
            Requirement::Equals(key, value) => label(key) == Some(value.as_str()),
            Requirement::NotEquals(key, value) => label(key) != Some(value.as_str()),
            Requirement::In(key, values) => label(key).is_some_and(|found| values.iter().any(|value| value == found)),
            Requirement::NotIn(key, values) => label(key).is_none_or(|found| values.iter().all(|value| value != found)),
            Requirement::Exists(key) => label(key).is_some(),
            Requirement::DoesNotExist(key) => label(key).is_none(),
        })
    }
}

/// Splits on commas outside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (index, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `key in (a, b)` → (key, [a, b]).
fn set_clause<'a>(clause: &'a str, operator: &str) -> Option<(&'a str, Result<Vec<String>, String>)> {
    let (key, set) = clause.split_once(operator)?;
    let values = set
        .trim()
        .strip_prefix('(')
        .and_then(|inner| inner.strip_suffix(')'))
        .map(|inner| inner.split(',').map(|value| value.trim().to_owned()).collect())
        .ok_or_else(|| format!("expected a parenthesised set after {:?}", operator.trim()));
    Some((key.trim(), values))
}

fn label_key(key: &str) -> Result<String, String> {
    let valid = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if valid { Ok(key.to_owned()) } else { Err(format!("invalid label key {key:?}")) }
}

/// A field selector over `metadata.name` and `metadata.namespace` (what
/// every resource supports), with `=`, `==` and `!=`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let mut terms = Vec::new();
        for clause in text.split(',').map(str::trim).filter(|clause| !clause.is_empty()) {
            let (field, equal, value) = if let Some((field, value)) = clause.split_once("!=") {
                (field, false, value)
            } else if let Some((field, value)) = clause.split_once("==").or_else(|| clause.split_once('=')) {
                (field, true, value)
            } else {
                return Err(ApiError::bad_request(format!("invalid field selector: {clause:?}")));
            };
            let field = field.trim();
            if !matches!(field, "metadata.name" | "metadata.namespace") {
                return Err(ApiError::bad_request(format!("field label not supported: {field}")));
            }
            terms.push((field.to_owned(), equal, value.trim().to_owned()));
        }
        Ok(Self(terms))
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|(field, equal, value)| {
            let found = match field.as_str() {
                "metadata.name" => object["metadata"]["name"].as_str(),
                _ => object["metadata"]["namespace"].as_str(),
            }
            .unwrap_or("");
            (found == value) == *equal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selectors_match_as_kubernetes() {
        let object = json!({"metadata": {"labels": {"app": "web", "tier": "front", "example.com/team": "a"}}});
        let cases = [
            ("", true),
            ("app=web", true),
            ("app==web", true),
            ("app=db", false),
            ("app!=db", true),
            ("missing!=x", true),
            ("app in (web, db)", true),
            ("app in (db)", false),
            ("app notin (db)", true),
            ("missing notin (db)", true),
            ("tier notin (front,back)", false),
            ("app", true),
            ("missing", false),
            ("!missing", true),
            ("!app", false),
            ("app=web,tier=front", true),
            ("app=web,tier in (back)", false),
            ("example.com/team=a", true),
        ];
        for (selector, expected) in cases {
            assert_eq!(LabelSelector::parse(selector).unwrap().matches(&object), expected, "{selector}");
        }
        assert!(LabelSelector::parse("app in web").is_err());
        assert!(LabelSelector::parse("a b=c").is_err());
    }

    #[test]
    fn field_selectors_on_name_and_namespace() {
        let object = json!({"metadata": {"name": "a", "namespace": "ns"}});
        assert!(FieldSelector::parse("metadata.name=a").unwrap().matches(&object));
        assert!(FieldSelector::parse("metadata.name!=b,metadata.namespace==ns").unwrap().matches(&object));
        assert!(!FieldSelector::parse("metadata.namespace=other").unwrap().matches(&object));
        assert_eq!(FieldSelector::parse("spec.x=1").unwrap_err().code, 400);
    }
}
