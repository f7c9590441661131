//! `weir sops decrypt|encrypt FILE`: what `sops -d` / `sops -e` do, run by the
//! sops decryptor plugin in its sandbox. The host only reads files and key
//! material and hands them to the plugin; keys and plaintext are never logged
//! nor written to disk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value as Json;
use weir_plugin_host::decryptor::{DecryptOptions, DecryptorPlugin, DocumentFormat, Key};
use weir_plugin_host::encryptor::{EncryptOptions, EncryptorPlugin, KeyGroup};
use weir_plugin_host::types::{Error, ErrorCode};

use crate::plugins::PluginOptions;

/// The tenant CLI calls run as: the built-in defaults.
const CLI_TENANT: &str = "default";

#[derive(clap::Subcommand)]
pub enum SopsCommand {
    /// Decrypt a sops-encrypted file and print it, as `sops -d` does.
    ///
    /// age identities come from --age-key-file, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY
    /// and ~/.config/sops/age/keys.txt; OpenPGP secret keys (armoured, without
    /// a passphrase) from --pgp-key-file.
    Decrypt(DecryptArgs),
    /// Encrypt a file and print it, as `sops -e` does.
    ///
    /// Recipients and rules come from the flags, else from the first
    /// `creation_rules` entry of the nearest `.sops.yaml` (searched from the
    /// working directory upwards, as sops does) whose path_regex matches the file. OpenPGP
    /// fingerprints (--pgp, or pgp in .sops.yaml) are resolved to public keys
    /// with `gpg --export --armor FINGERPRINT`.
    Encrypt(EncryptArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TypeArg {
    Yaml,
    Json,
    Dotenv,
    Ini,
    Binary,
}

#[derive(clap::Args)]
pub struct DecryptArgs {
    /// The encrypted file.
    file: PathBuf,
    /// The file's format. Default: from its extension, as sops decides.
    #[arg(long, value_name = "TYPE")]
    input_type: Option<TypeArg>,
    /// Print in this format. Default: the input type.
    #[arg(long, value_name = "TYPE")]
    output_type: Option<TypeArg>,
    /// Print only this part of the document, e.g. '["data"]["key"]' or '["list"][0]'.
    #[arg(long, value_name = "PATH")]
    extract: Option<String>,
    /// A file of age identities (`AGE-SECRET-KEY-1…` lines); may be repeated.
    #[arg(long, value_name = "FILE")]
    age_key_file: Vec<PathBuf>,
    /// An ASCII-armoured OpenPGP secret key file; may be repeated.
    #[arg(long, value_name = "FILE")]
    pgp_key_file: Vec<PathBuf>,
}

#[derive(clap::Args)]
pub struct EncryptArgs {
    /// The plain file.
    file: PathBuf,
    /// The file's format. Default: from its extension, as sops decides.
    #[arg(long, value_name = "TYPE")]
    input_type: Option<TypeArg>,
    /// age recipients, comma-separated.
    #[arg(long, value_name = "RECIPIENT", value_delimiter = ',')]
    age: Vec<String>,
    /// OpenPGP key fingerprints, comma-separated (public keys exported by gpg).
    #[arg(long, value_name = "FINGERPRINT", value_delimiter = ',')]
    pgp: Vec<String>,
    /// Encrypt only values under keys matching this regex.
    #[arg(long, value_name = "REGEX", group = "rule")]
    encrypted_regex: Option<String>,
    /// Leave values under keys matching this regex plain.
    #[arg(long, value_name = "REGEX", group = "rule")]
    unencrypted_regex: Option<String>,
    /// Encrypt only values under keys with this suffix.
    #[arg(long, value_name = "SUFFIX", group = "rule")]
    encrypted_suffix: Option<String>,
    /// Leave values under keys with this suffix plain (default `_unencrypted`).
    #[arg(long, value_name = "SUFFIX", group = "rule")]
    unencrypted_suffix: Option<String>,
    /// Compute the MAC over encrypted values only.
    #[arg(long)]
    mac_only_encrypted: bool,
    /// The sops configuration to use instead of searching for `.sops.yaml`.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

impl SopsCommand {
    pub async fn run(self, plugins: &PluginOptions) -> anyhow::Result<()> {
        let output = match self {
            SopsCommand::Decrypt(args) => args.run(plugins).await?,
            SopsCommand::Encrypt(args) => args.run(plugins).await?,
        };
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&output).and_then(|()| stdout.flush()).context("writing stdout")
    }
}

fn document_format(t: TypeArg) -> DocumentFormat {
    match t {
        TypeArg::Yaml => DocumentFormat::Yaml,
        TypeArg::Json => DocumentFormat::Json,
        TypeArg::Dotenv => DocumentFormat::Dotenv,
        TypeArg::Ini => DocumentFormat::Ini,
        TypeArg::Binary => DocumentFormat::Binary,
    }
}

/// sops' choice of store by extension; anything else is binary.
fn format_of(path: &Path, explicit: Option<TypeArg>) -> DocumentFormat {
    if let Some(t) = explicit {
        return document_format(t);
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => DocumentFormat::Yaml,
        Some("json") => DocumentFormat::Json,
        Some("env") => DocumentFormat::Dotenv,
        Some("ini") => DocumentFormat::Ini,
        _ => DocumentFormat::Binary,
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The sops plugin serves both worlds.
const SOPS_PLUGIN: &str = "sops";

/// A one-line message for a plugin error; it names paths and fields, never secrets.
fn describe(error: Error) -> String {
    let kind = match error.code {
        ErrorCode::NotEncrypted => "not a sops-encrypted file",
        ErrorCode::NoMatchingKey => "cannot decrypt the data key",
        ErrorCode::Integrity => "the file was tampered with",
        ErrorCode::Unsupported => "unsupported",
        _ => "invalid input",
    };
    format!("{kind}: {error}")
}

/// The `AGE-SECRET-KEY-…` lines of a key file's text.
fn age_identities(text: &str) -> impl Iterator<Item = Key> + '_ {
    text.lines().map(str::trim).filter(|l| l.starts_with("AGE-SECRET-KEY-")).map(|l| Key::AgeIdentity(l.to_string()))
}

impl DecryptArgs {
    /// Keys from the flags and sops' environment variables and default key file.
    fn keys(&self) -> anyhow::Result<Vec<Key>> {
        let mut keys = Vec::new();
        let mut files = self.age_key_file.clone();
        if let Some(f) = std::env::var_os("SOPS_AGE_KEY_FILE") {
            files.push(f.into());
        }
        for f in &files {
            let text =
                std::fs::read_to_string(f).with_context(|| format!("cannot read age key file {}", f.display()))?;
            keys.extend(age_identities(&text));
        }
        if let Ok(text) = std::env::var("SOPS_AGE_KEY") {
            keys.extend(age_identities(&text));
        }
        let config_home = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
        if let Some(default) = config_home.map(|c| c.join("sops/age/keys.txt"))
            && let Ok(text) = std::fs::read_to_string(default)
        {
            keys.extend(age_identities(&text));
        }
        for f in &self.pgp_key_file {
            let text =
                std::fs::read_to_string(f).with_context(|| format!("cannot read PGP key file {}", f.display()))?;
            keys.push(Key::PgpSecretKey(text));
        }
        Ok(keys)
    }

    async fn run(self, plugins: &PluginOptions) -> anyhow::Result<Vec<u8>> {
        let document = read(&self.file)?;
        let format = format_of(&self.file, self.input_type);
        let options = DecryptOptions {
            output_format: self.output_type.map(document_format),
            extract: match &self.extract {
                Some(path) => parse_extract(path)?,
                None => Vec::new(),
            },
        };
        let keys = self.keys()?;
        let (runtime, plugin) = plugins.load(SOPS_PLUGIN)?;
        let plugin = DecryptorPlugin::new(runtime, plugin)?;
        match plugin.decrypt(CLI_TENANT, &document, format, &keys, &options).await? {
            Ok(plain) => Ok(plain),
            Err(error) => bail!("{}: {}", self.file.display(), describe(error)),
        }
    }
}

/// `["a"]["b"][0]` → `a`, `b`, `0`.
fn parse_extract(path: &str) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = path.trim();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').with_context(|| format!("--extract {path:?}: expected `[`"))?;
        let end = if let Some(quoted) = inner.strip_prefix('"') {
            let close = quoted.find('"').with_context(|| format!("--extract {path:?}: unterminated string"))?;
            out.push(quoted[..close].to_string());
            close + 2
        } else {
            let close = inner.find(']').with_context(|| format!("--extract {path:?}: expected `]`"))?;
            let index = inner[..close].trim();
            index.parse::<usize>().with_context(|| format!("--extract {path:?}: `{index}` is not an index"))?;
            out.push(index.to_string());
            close
        };
        rest =
            inner[end..].strip_prefix(']').with_context(|| format!("--extract {path:?}: expected `]`"))?.trim_start();
    }
    Ok(out)
}

/// The parts of a `.sops.yaml` creation rule weir uses.
#[derive(Default)]
struct Rule {
    age: Vec<String>,
    pgp: Vec<String>,
    encrypted_regex: Option<String>,
    unencrypted_regex: Option<String>,
    encrypted_suffix: Option<String>,
    unencrypted_suffix: Option<String>,
    mac_only_encrypted: bool,
    key_groups: Vec<(Vec<String>, Vec<String>)>,
    shamir_threshold: u8,
}

/// A comma-separated string or a list of strings, as `.sops.yaml` allows.
fn string_list(v: Option<&Json>) -> Vec<String> {
    match v {
        Some(Json::String(s)) => s.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).map(|s| s.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

fn string(v: Option<&Json>) -> Option<String> {
    v.and_then(Json::as_str).map(str::to_string)
}

/// The nearest `.sops.yaml` at or above `dir`.
fn find_config(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(".sops.yaml")).find(|p| p.is_file())
}

/// The first creation rule of `config` whose `path_regex` matches `file`
/// (relative to the configuration's directory), if any.
fn creation_rule(config: &Path, file: &Path) -> anyhow::Result<Option<Rule>> {
    let text = std::fs::read_to_string(config).with_context(|| format!("cannot read {}", config.display()))?;
    let docs = weir_go_yaml::parse_stream(&text).map_err(|e| anyhow::anyhow!("{}: {e}", config.display()))?;
    let Some(rules) = docs.first().and_then(|d| d.get("creation_rules")).and_then(Json::as_array) else {
        return Ok(None);
    };
    let base = config.parent().unwrap_or(Path::new("."));
    let relative = file.strip_prefix(base).unwrap_or(file).to_string_lossy().into_owned();
    for rule in rules {
        if let Some(re) = rule.get("path_regex").and_then(Json::as_str) {
            let re =
                regex::Regex::new(re).with_context(|| format!("{}: invalid path_regex {re:?}", config.display()))?;
            if !re.is_match(&relative) {
                continue;
            }
        }
        let key_groups = rule
            .get("key_groups")
            .and_then(Json::as_array)
            .map(|groups| groups.iter().map(|g| (string_list(g.get("age")), string_list(g.get("pgp")))).collect())
            .unwrap_or_default();
        return Ok(Some(Rule {
            age: string_list(rule.get("age")),
            pgp: string_list(rule.get("pgp")),
            encrypted_regex: string(rule.get("encrypted_regex")),
            unencrypted_regex: string(rule.get("unencrypted_regex")),
            encrypted_suffix: string(rule.get("encrypted_suffix")),
            unencrypted_suffix: string(rule.get("unencrypted_suffix")),
            mac_only_encrypted: rule.get("mac_only_encrypted").and_then(Json::as_bool).unwrap_or(false),
            key_groups,
            shamir_threshold: rule
                .get("shamir_threshold")
                .and_then(Json::as_u64)
                .map(|t| u8::try_from(t).unwrap_or(u8::MAX))
                .unwrap_or(0),
        }));
    }
    bail!("{}: no creation rule matches {relative}", config.display())
}

/// The armoured public key of an OpenPGP fingerprint, from the user's gpg keyring.
fn gpg_public_key(fingerprint: &str) -> anyhow::Result<String> {
    let out = Command::new("gpg")
        .args(["--batch", "--export", "--armor", fingerprint])
        .output()
        .context("running gpg to export a PGP public key")?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() || !text.contains("BEGIN PGP PUBLIC KEY BLOCK") {
        bail!("gpg has no public key {fingerprint}");
    }
    Ok(text)
}

fn public_keys(fingerprints: &[String]) -> anyhow::Result<Vec<String>> {
    fingerprints.iter().map(|fp| gpg_public_key(fp)).collect()
}

impl EncryptArgs {
    async fn run(self, plugins: &PluginOptions) -> anyhow::Result<Vec<u8>> {
        let document = read(&self.file)?;
        let format = format_of(&self.file, self.input_type);
        let absolute = std::path::absolute(&self.file).with_context(|| format!("{}", self.file.display()))?;
        // Recipients from the flags win; otherwise the matching creation rule's.
        let rule = if !self.age.is_empty() || !self.pgp.is_empty() {
            None
        } else {
            let config = match &self.config {
                Some(c) => Some(c.clone()),
                // As sops does: from the working directory upwards.
                None => find_config(&std::env::current_dir().context("the working directory")?),
            };
            match config {
                Some(c) => creation_rule(&std::path::absolute(&c)?, &absolute)?,
                None => None,
            }
        };
        let rule = rule.unwrap_or_default();
        let (age, pgp) = if self.age.is_empty() && self.pgp.is_empty() {
            (rule.age.clone(), rule.pgp.clone())
        } else {
            (self.age.clone(), self.pgp.clone())
        };
        let flag_rule = self.encrypted_regex.is_some()
            || self.unencrypted_regex.is_some()
            || self.encrypted_suffix.is_some()
            || self.unencrypted_suffix.is_some();
        let pick =
            |flag: &Option<String>, config: &Option<String>| if flag_rule { flag.clone() } else { config.clone() };
        let key_groups = if self.age.is_empty() && self.pgp.is_empty() {
            rule.key_groups
                .iter()
                .map(|(age, pgp)| Ok(KeyGroup { age_recipients: age.clone(), pgp_public_keys: public_keys(pgp)? }))
                .collect::<anyhow::Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        if age.is_empty() && pgp.is_empty() && key_groups.is_empty() {
            bail!("no recipients: give --age or --pgp, or a .sops.yaml creation rule with keys");
        }
        let options = EncryptOptions {
            age_recipients: age,
            pgp_public_keys: public_keys(&pgp)?,
            encrypted_regex: pick(&self.encrypted_regex, &rule.encrypted_regex),
            unencrypted_regex: pick(&self.unencrypted_regex, &rule.unencrypted_regex),
            encrypted_suffix: pick(&self.encrypted_suffix, &rule.encrypted_suffix),
            unencrypted_suffix: pick(&self.unencrypted_suffix, &rule.unencrypted_suffix),
            mac_only_encrypted: self.mac_only_encrypted || rule.mac_only_encrypted,
            key_groups,
            shamir_threshold: rule.shamir_threshold,
        };
        let (runtime, plugin) = plugins.load(SOPS_PLUGIN)?;
        let plugin = EncryptorPlugin::new(runtime, plugin)?;
        match plugin.encrypt(CLI_TENANT, &document, format, &options).await? {
            Ok(encrypted) => Ok(encrypted),
            Err(error) => bail!("{}: {}", self.file.display(), describe(error)),
        }
    }
}
