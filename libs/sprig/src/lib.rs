//! Sprig's template functions (v3, as Helm 3.18 registers them: all but `env`
//! and `expandenv`) and Helm's own data functions (`toYaml`, `fromJson`, …),
//! over weir-gotemplate's values.
//!
//! Each function keeps Go's observable behaviour: its result type (`add`
//! gives an int64, `addf` a float64), its lenient conversions, and its
//! errors, including Go's panics (`div` by zero) as call errors.
//!
//! Where Go's behaviour cannot be had, the difference is deliberate and small:
//! - The value model has one integer type, so `typeOf`/`kindOf` say `int64`
//!   where Go says `int` (template constants, `len`, `atoi`), and `duration`
//!   takes any integer where Go ignores an `int`.
//! - Strings are UTF-8, so byte slicing that cuts a character (`trunc`,
//!   `substr`, `nospace` on non-ASCII text) yields U+FFFD where Go yields
//!   the raw bytes.
//! - Times are shown in UTC; zones other than UTC are not loaded.
//! - Random output (keys, certificates, `bcrypt`, `uuidv4`, `randAlpha`, …)
//!   has Go's shape but its own randomness; DSA keys are not supported.
//! - Parser error texts of `fromYaml`/`fromToml` follow go-yaml's and
//!   BurntSushi's for the common cases only.

mod args;
mod casing;
mod certs;
mod convert;
mod crypto;
mod data;
mod dates;
mod defaults;
mod dicts;
mod encoding;
mod json;
mod lists;
mod math;
pub mod paths;
mod random;
mod regex;
mod semver;
mod strings;
mod toml;
mod types;
mod urls;
pub mod yaml;

pub use json::JsonNumber;

use weir_gotemplate::FuncMap;

/// How deep the recursive functions (JSON, YAML, TOML, `deepEqual`,
/// `deepCopy`, `merge`) follow nested values. Deeper values are refused:
/// that ends maps that contain themselves, and keeps the recursion within
/// a wasm stack (wasmtime gives 512 KiB). Go allows more, but no chart's
/// data nests this deep.
pub(crate) const MAX_DEPTH: usize = 200;

/// Every function Helm's engine registers from Sprig plus Helm's data
/// functions; the engine adds `include`, `tpl`, `required` and `lookup`.
pub fn functions() -> FuncMap {
    let mut map = FuncMap::new();
    certs::register(&mut map);
    crypto::register(&mut map);
    data::register(&mut map);
    dates::register(&mut map);
    defaults::register(&mut map);
    dicts::register(&mut map);
    encoding::register(&mut map);
    lists::register(&mut map);
    math::register(&mut map);
    paths::register(&mut map);
    random::register(&mut map);
    regex::register(&mut map);
    semver::register(&mut map);
    strings::register(&mut map);
    types::register(&mut map);
    urls::register(&mut map);
    map
}
