//! Helm 3 chart rendering.

pub mod engine;
mod template;
pub mod user_values;

pub use template::{HelmError, Release, RenderOptions, Rendered, render};

pub mod capabilities;
pub mod chart;
mod decode;
pub mod dependencies;
pub mod error;
pub mod files;
pub mod ignore;
pub mod loader;
pub mod manifests;
pub mod schema;
pub mod strvals;
pub mod values;
