//! A plugin as written for `weir:plugin@0.1.0`, exporting four of its
//! worlds with simple, predictable answers, so a test can check that each
//! 0.2 call reaches it and each 0.1 result and error comes back converted.

wit_bindgen::generate!({
    path: "../../../wit/0.1.0",
    inline: "
        package weir:legacy-fixture;
        world legacy {
            include weir:plugin/renderer@0.1.0;
            include weir:plugin/chart-renderer@0.1.0;
            include weir:plugin/decryptor@0.1.0;
            include weir:plugin/tag-policy@0.1.0;
        }
    ",
    world: "weir:legacy-fixture/legacy",
    generate_all,
});

use exports::weir::plugin::chart_render::{self, ChartError, ChartRequest, Manifest, RenderedChart};
use exports::weir::plugin::decrypt::{self, CryptError, DecryptOptions, DocumentFormat, EncryptOptions, Key};
use exports::weir::plugin::policy::{self, PolicyError, PolicyRequest, Selection};
use exports::weir::plugin::render::{self, BuildOptions, RenderError, Rendered};
use weir::plugin::types::ErrorDetail;

struct Legacy;

fn detail(message: &str, file: Option<&str>, field: Option<&str>) -> ErrorDetail {
    ErrorDetail { message: message.into(), file: file.map(Into::into), field: field.map(Into::into) }
}

impl render::Guest for Legacy {
    /// The `*.yaml` files directly in `options.path`, by name, as one stream.
    fn build(options: BuildOptions) -> Result<Rendered, RenderError> {
        let dir = format!("/src/{}", options.path);
        let entries = std::fs::read_dir(&dir)
            .map_err(|_| RenderError::NotFound(detail("no such directory", Some(&options.path), Some("path"))))?;
        let mut names: Vec<String> = entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".yaml"))
            .collect();
        names.sort();
        let documents: Vec<String> =
            names.iter().map(|name| std::fs::read_to_string(format!("{dir}/{name}")).unwrap_or_default()).collect();
        Ok(Rendered { yaml_stream: documents.join("---\n"), warnings: vec!["built by a 0.1 plugin".into()] })
    }
}

impl chart_render::Guest for Legacy {
    /// One manifest naming the release; values `{"fail":true}` fail the template.
    fn template(request: ChartRequest) -> Result<RenderedChart, ChartError> {
        let source = "legacy/templates/release.yaml";
        if request.values_json == r#"{"fail":true}"# {
            return Err(ChartError::TemplateFailed(detail("asked to fail", Some(source), None)));
        }
        let content = format!("release: {}\n", request.release.name);
        Ok(RenderedChart {
            crds: vec![],
            manifests: vec![Manifest { source: source.into(), content }],
            hooks: vec![],
            notes: Some("legacy notes".into()),
            warnings: vec![],
        })
    }
}

impl decrypt::Guest for Legacy {
    /// "Decrypts" by reversing the bytes, given any key.
    fn decrypt(document: Vec<u8>, _format: DocumentFormat, keys: Vec<Key>) -> Result<Vec<u8>, CryptError> {
        if keys.is_empty() {
            return Err(CryptError::NoMatchingKey(detail("no key given", None, None)));
        }
        Ok(document.into_iter().rev().collect())
    }

    fn decrypt_with(
        document: Vec<u8>,
        format: DocumentFormat,
        keys: Vec<Key>,
        options: DecryptOptions,
    ) -> Result<Vec<u8>, CryptError> {
        if !options.extract.is_empty() {
            return Err(CryptError::Unsupported(detail("cannot extract", None, Some("extract"))));
        }
        Self::decrypt(document, format, keys)
    }

    /// "Encrypts" by reversing the bytes, for at least one age recipient.
    fn encrypt(document: Vec<u8>, _format: DocumentFormat, options: EncryptOptions) -> Result<Vec<u8>, CryptError> {
        if options.age_recipients.is_empty() {
            return Err(CryptError::InvalidKey(detail("no recipient", None, Some("age-recipients"))));
        }
        Ok(document.into_iter().rev().collect())
    }
}

impl policy::Guest for Legacy {
    /// The last candidate; the semver range `bad` is malformed.
    fn select(request: PolicyRequest) -> Result<String, PolicyError> {
        if matches!(&request.selection, Selection::Semver(range) if range == "bad") {
            return Err(PolicyError::InvalidPolicy(detail("malformed range", None, Some("selection"))));
        }
        let last = request.candidates.into_iter().last();
        last.map(|candidate| candidate.tag).ok_or_else(|| PolicyError::NoMatch(detail("no candidates", None, None)))
    }
}

export!(Legacy);
