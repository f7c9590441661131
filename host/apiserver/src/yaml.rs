//! YAML request bodies (server-side apply's `application/apply-patch+yaml`)
//! read into JSON values, through weir's Go-compatible reader.

use serde_json::Value;
use weir_go_yaml::{ParseOptions, parse_documents};

use crate::status::ApiError;

/// Reads one YAML (or JSON) document. Aliases are refused: a body is one object, and
/// refusing them keeps a small request from expanding into a large one.
pub fn parse_document(text: &str) -> Result<Value, ApiError> {
    if let Ok(value) = serde_json::from_str(text) {
        return Ok(value);
    }
    let mut documents = parse_documents(text, &ParseOptions { reject_aliases: true, ..ParseOptions::default() })
        .map_err(|error| ApiError::bad_request(format!("error decoding YAML: {error}")))?;
    match documents.len() {
        1 => Ok(documents.remove(0)),
        _ => Err(ApiError::bad_request("the request body must hold exactly one YAML document")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The 400 a body earns, as its message.
    fn message(text: &str) -> String {
        let error = parse_document(text).unwrap_err();
        assert_eq!(error.code, 400);
        error.message
    }

    #[test]
    fn yaml_and_json_bodies() {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\n  y: 'true'\nbinary: 2.5\nlist: [1, b]\n";
        assert_eq!(
            parse_document(yaml).unwrap(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "1", "y": "true"}, "binary": 2.5, "list": [1, "b"]})
        );
        assert_eq!(parse_document(r#"{"a": [1]}"#).unwrap(), json!({"a": [1]}));
        // Scalars resolve as Go's decoders resolve them.
        assert_eq!(parse_document("a: [yes, 0x10, 012, ~]\n").unwrap(), json!({"a": ["yes", 16, 10, null]}));
        assert!(message("a: [").starts_with("error decoding YAML: "));
        assert_eq!(message("a: 1\n---\nb: 2\n"), "the request body must hold exactly one YAML document");
        assert_eq!(message(""), "the request body must hold exactly one YAML document");
        assert_eq!(message("a: &x 1\nb: *x\n"), "error decoding YAML: aliases are not supported at line 2 column 4");
    }
}
