//! Write weir plugins in plain Rust.
//!
//! A weir plugin is a `wasm32-wasip2` component implementing one world of
//! the `weir:plugin@0.1.0` WIT package. This crate hides the generated
//! bindings: implement the world's trait on a type of yours and name it in
//! the world's export macro. A whole tag-policy plugin, from
//! `examples/plugins/newest-build`:
//!
//! ```ignore
//! use weir_plugin_sdk::tag_policy::{PolicyError, PolicyRequest, TagPolicy};
//! use weir_plugin_sdk::types::ErrorDetail;
//!
//! struct NewestBuild;
//!
//! impl TagPolicy for NewestBuild {
//!     fn select(request: PolicyRequest) -> Result<String, PolicyError> {
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
//!             .ok_or_else(|| PolicyError::NoMatch(ErrorDetail::new("no tag carries a build number")))
//!     }
//! }
//!
//! weir_plugin_sdk::export_tag_policy!(NewestBuild);
//! ```
//!
//! Build it with `crate-type = ["cdylib"]` for `wasm32-wasip2`
//! (`scripts/build-plugins` shows how) and load the `.wasm` into weir.
//!
//! | world | trait | macro | the host grants |
//! |---|---|---|---|
//! | renderer | [`renderer::Renderer`] | [`export_renderer!`] | the source tree, read-only, at `/src` |
//! | chart-renderer | [`chart_renderer::ChartRenderer`] | [`export_chart_renderer!`] | the chart, read-only, at `/chart` |
//! | decryptor | [`decryptor::Decryptor`] | [`export_decryptor!`] | nothing |
//! | notifier | [`notifier::Notifier`] | [`export_notifier!`] | HTTP to the provider's origin ([`notifier::send`]) |
//! | tag-policy | [`tag_policy::TagPolicy`] | [`export_tag_policy!`] | nothing |
//!
//! Each call runs in a fresh instance: keep no state between calls. A panic
//! aborts the call; the host reports it with the panic message, so prefer
//! returning the world's error with an [`types::ErrorDetail`].

// The generated bindings name shared types by this crate's name, so that the
// same paths work here and in the plugin crates that expand the export macros.
extern crate self as weir_plugin_sdk;

pub mod chart_renderer;
pub mod decryptor;
pub mod notifier;
pub mod renderer;
pub mod tag_policy;
pub mod types;

#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen;
}
