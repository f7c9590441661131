//! The shared `types` interface of each `weir:plugin` package version the
//! host serves, and the one way a plugin's error is shown to people.
//!
//! The host-facing API speaks `weir:plugin@0.2.0`; `@0.1.0` components are
//! served through adapters in each world's module, which turn 0.1's error
//! variants into 0.2's [`Error`](types::Error) with [`legacy_error`].

use std::fmt;

pub(crate) mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.0",
        interfaces: "import weir:plugin/types@0.2.0;",
    });
}

pub(crate) mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.1.0",
        interfaces: "import weir:plugin/types@0.1.0;",
    });
}

/// Types every world shares (`weir:plugin/types@0.2.0`).
pub use v0_2::weir::plugin::types;

use types::{Error, ErrorCode, KeyValue};

impl Error {
    /// An error with only a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), path: None, details: Vec::new() }
    }

    /// The value of detail `key`, if the plugin gave one.
    pub fn detail(&self, key: &str) -> Option<&str> {
        self.details.iter().find(|pair| pair.key == key).map(|pair| pair.value.as_str())
    }
}

/// `path: message (key value)…`: where, what, then the further facts.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)?;
        for KeyValue { key, value } in &self.details {
            write!(f, " ({key} {value})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// A 0.1 error variant's detail as a 0.2 error of `code`. 0.1 points at a
/// `file` and a `field`; 0.2 has one `path` (the file, else the request
/// field), so a field beside a file becomes the `field` detail.
pub(crate) fn legacy_error(code: ErrorCode, detail: v0_1::weir::plugin::types::ErrorDetail) -> Error {
    let (path, details) = match (detail.file, detail.field) {
        (Some(file), Some(field)) => (Some(file), vec![KeyValue { key: "field".into(), value: field }]),
        (file, field) => (file.or(field), Vec::new()),
    };
    Error { code, message: detail.message, path, details }
}

#[cfg(test)]
mod tests {
    use super::*;
    use v0_1::weir::plugin::types::ErrorDetail;

    #[test]
    fn shows_where_what_and_the_facts() {
        let mut error = Error::new(ErrorCode::InvalidInput, "patch target matches no resource");
        error.path = Some("overlays/prod/kustomization.yaml".into());
        error.details.push(KeyValue { key: "field".into(), value: "patches[2].target".into() });
        assert_eq!(
            error.to_string(),
            "overlays/prod/kustomization.yaml: patch target matches no resource (field patches[2].target)"
        );
    }

    #[test]
    fn a_legacy_field_alone_is_the_path_and_beside_a_file_a_detail() {
        let alone = legacy_error(
            ErrorCode::InvalidInput,
            ErrorDetail { message: "bad".into(), file: None, field: Some("filter.pattern".into()) },
        );
        assert_eq!(alone.path.as_deref(), Some("filter.pattern"));
        assert!(alone.details.is_empty());
        let beside = legacy_error(
            ErrorCode::NotFound,
            ErrorDetail { message: "bad".into(), file: Some("a.yaml".into()), field: Some("spec".into()) },
        );
        assert_eq!((beside.path.as_deref(), beside.detail("field")), (Some("a.yaml"), Some("spec")));
    }
}
