//! Types every world shares (`weir:plugin/types@0.2.0`), generated once.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/0.2.0",
        inline: "package weir:sdk; world types { import weir:plugin/types@0.2.0; }",
        world: "weir:sdk/types",
        with: { "weir:plugin/types@0.2.0": generate },
        runtime_path: "weir_plugin_sdk::__private::wit_bindgen::rt",
    });
}

pub use bindings::weir::plugin::types::{DocumentFormat, Error, ErrorCode, KeyValue, PluginInfo};

impl Error {
    /// An error of class `code`, explained by `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), path: None, details: Vec::new() }
    }

    /// Points the error at a file relative to the plugin's input root, or
    /// at a request field as a dotted path (`filter.pattern`).
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Adds a fact (`field` => `spec.patches[2].target`, `status` => `503`).
    pub fn with_detail(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.details.push(KeyValue::new(key, value));
        self
    }

    /// The answer of a world method a plugin does not implement.
    pub fn unimplemented(world: &str) -> Self {
        Self::new(ErrorCode::Unsupported, format!("this plugin does not implement the {world} world"))
    }
}

impl KeyValue {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self { key: key.into(), value: value.into() }
    }
}
