//! Types shared by every world.

pub use crate::tag_policy::bindings::weir::plugin::types::{ErrorDetail, KeyValue};

impl ErrorDetail {
    /// An error explained by `message` alone.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), file: None, field: None }
    }

    /// Points the error at a file, relative to the plugin's input root.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Points the error at a field, as a dotted path (`spec.patches[2].target`).
    pub fn at_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl KeyValue {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self { key: key.into(), value: value.into() }
    }
}
