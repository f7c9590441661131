//! Write weir plugins in plain Rust.
//!
//! A weir plugin is a `wasm32-wasip2` component exporting one or more
//! worlds of the `weir:plugin@0.2` WIT package (each world at the release
//! that introduced it: `post-renderer` at `@0.2.1`, the others at `@0.2.0`). This crate hides the
//! generated bindings: implement [`Plugin`] on a type of yours (every
//! method has a default, so implement only your world's) and name the type
//! and its worlds in [`register_plugin!`]. A whole tag-policy plugin, from
//! `examples/plugins/newest-build`:
//!
//! ```ignore
//! use weir_plugin_sdk::Plugin;
//! use weir_plugin_sdk::tag_policy::PolicyRequest;
//! use weir_plugin_sdk::types::{Error, ErrorCode};
//!
//! struct NewestBuild;
//!
//! impl Plugin for NewestBuild {
//!     fn select(request: PolicyRequest) -> Result<String, Error> {
//!         request
//!             .candidates
//!             .into_iter()
//!             .filter_map(|candidate| {
//!                 let (_, number) = candidate.tag.rsplit_once("build.")?;
//!                 Some((number.parse::<u64>().ok()?, candidate.tag))
//!             })
//!             // max_by_key keeps the last of equal keys; reversing keeps the first listed.
//!             .rev()
//!             .max_by_key(|(number, _)| *number)
//!             .map(|(_, tag)| tag)
//!             .ok_or_else(|| Error::new(ErrorCode::NoMatch, "no tag carries a build number"))
//!     }
//! }
//!
//! weir_plugin_sdk::register_plugin!(NewestBuild: tag_policy);
//! ```
//!
//! Build it with `crate-type = ["cdylib"]` for `wasm32-wasip2`
//! (`scripts/build-plugins` shows how) and load the `.wasm` into weir.
//!
//! | world | implement | the host grants |
//! |---|---|---|
//! | [`renderer`] | [`Plugin::build`] | the source tree, read-only, at `/src` |
//! | [`chart_renderer`] | [`Plugin::template`] | the chart, read-only, at `/chart` |
//! | [`decryptor`] | [`Plugin::decrypt`] | nothing |
//! | [`encryptor`] | [`Plugin::encrypt`] | nothing |
//! | [`notifier`] | [`Plugin::notify`] | HTTP to the provider's origin ([`notifier::send`]) |
//! | [`tag_policy`] | [`Plugin::select`] | nothing |
//! | [`post_renderer`] (`@0.2.1`) | [`Plugin::post_render`] | nothing |
//!
//! Every world also exports `describe`: the crate's name and version and
//! [`Plugin::config_schema`]. Each call runs in a fresh instance: keep no
//! state between calls. A panic aborts the call; the host reports it with
//! the panic message, so prefer returning an [`types::Error`].

// The generated bindings name shared types by this crate's name, so that the
// same paths work here and in the plugin crates that expand the macros.
extern crate self as weir_plugin_sdk;

pub mod chart_renderer;
pub mod decryptor;
pub mod encryptor;
pub mod notifier;
pub mod post_renderer;
pub mod renderer;
pub mod tag_policy;
pub mod types;

use types::{DocumentFormat, Error};

/// A weir plugin. Implement the methods of the worlds you register; the
/// others answer `unsupported` and are never exported.
pub trait Plugin {
    /// A JSON Schema for the configuration the plugin accepts; none by default.
    fn config_schema() -> Option<String> {
        None
    }

    /// `renderer`: builds the kustomization at `options.path`.
    fn build(options: renderer::BuildOptions) -> Result<renderer::Rendered, Error> {
        let _ = options;
        Err(Error::unimplemented("renderer"))
    }

    /// `chart-renderer`: renders the chart at [`chart_renderer::CHART_MOUNT`].
    fn template(request: chart_renderer::ChartRequest) -> Result<chart_renderer::RenderedChart, Error> {
        let _ = request;
        Err(Error::unimplemented("chart-renderer"))
    }

    /// `decryptor`: decrypts `document`, without encryption metadata,
    /// printed as `options` say.
    fn decrypt(
        document: Vec<u8>,
        format: DocumentFormat,
        keys: Vec<decryptor::Key>,
        options: decryptor::DecryptOptions,
    ) -> Result<Vec<u8>, Error> {
        let _ = (document, format, keys, options);
        Err(Error::unimplemented("decryptor"))
    }

    /// `encryptor`: encrypts `document` for the recipients in `options`.
    fn encrypt(
        document: Vec<u8>,
        format: DocumentFormat,
        options: encryptor::EncryptOptions,
    ) -> Result<Vec<u8>, Error> {
        let _ = (document, format, options);
        Err(Error::unimplemented("encryptor"))
    }

    /// `notifier`: delivers `event` to `provider`.
    fn notify(event: notifier::Event, provider: notifier::Provider) -> Result<(), Error> {
        let _ = (event, provider);
        Err(Error::unimplemented("notifier"))
    }

    /// `post-renderer`: the documents to apply instead of `request.manifests`.
    fn post_render(request: post_renderer::PostRenderRequest) -> Result<Vec<post_renderer::Manifest>, Error> {
        let _ = request;
        Err(Error::unimplemented("post-renderer"))
    }

    /// `tag-policy`: returns the selected tag exactly as it appears in
    /// `request.candidates`.
    fn select(request: tag_policy::PolicyRequest) -> Result<String, Error> {
        let _ = request;
        Err(Error::unimplemented("tag-policy"))
    }
}

/// Exports a [`Plugin`] as the worlds named after it:
/// `register_plugin!(Sops: decryptor, encryptor);`. World names are the
/// SDK's module names (`renderer`, `chart_renderer`, `decryptor`,
/// `encryptor`, `notifier`, `tag_policy`, `post_renderer`).
#[macro_export]
macro_rules! register_plugin {
    ($plugin:ty: $($world:ident),+ $(,)?) => {
        $( $crate::__export_world!($world, $plugin); )+
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __export_world {
    (renderer, $plugin:ty) => {
        $crate::__export_renderer!($plugin);
    };
    (chart_renderer, $plugin:ty) => {
        $crate::__export_chart_renderer!($plugin);
    };
    (decryptor, $plugin:ty) => {
        $crate::__export_decryptor!($plugin);
    };
    (encryptor, $plugin:ty) => {
        $crate::__export_encryptor!($plugin);
    };
    (notifier, $plugin:ty) => {
        $crate::__export_notifier!($plugin);
    };
    (tag_policy, $plugin:ty) => {
        $crate::__export_tag_policy!($plugin);
    };
    (post_renderer, $plugin:ty) => {
        $crate::__export_post_renderer!($plugin);
    };
}

/// `describe`'s answer: the plugin crate's name and version (expanded in
/// the plugin crate, so `env!` reads its manifest) and its schema.
#[doc(hidden)]
#[macro_export]
macro_rules! __plugin_info {
    ($plugin:ty) => {
        $crate::types::PluginInfo {
            name: ::std::string::String::from(env!("CARGO_PKG_NAME")),
            version: ::std::string::String::from(env!("CARGO_PKG_VERSION")),
            config_schema: <$plugin as $crate::Plugin>::config_schema(),
        }
    };
}

#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen;
}
