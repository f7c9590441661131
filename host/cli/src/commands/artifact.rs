//! Flux's artifact verbs, printing what flux prints: `push artifact`, `pull artifact`, `tag
//! artifact`, `list artifacts` and `build artifact` (flux2 `cmd/flux/*_artifact.go`). The
//! artifact format is [`weir_source::oci::artifact`]'s; the registry is reached through
//! [`weir_registry`], credentials from `--creds` or docker's `config.json`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use weir_registry::{ClientOptions, Credentials, DockerConfig, Reference, RegistryClient};
use weir_source::oci::artifact::{self, Metadata, default_ignore_paths};

use super::flux::{go_bool, say, table};

/// The registry options every verb has.
#[derive(clap::Args)]
pub(super) struct RegistryArgs {
    /// Credentials for the OCI registry in the format <username>[:<password>].
    #[arg(long)]
    creds: Option<String>,
}

#[derive(clap::Subcommand)]
pub enum PushCommand {
    /// Push a directory or a file as an OCI artifact.
    Artifact(PushArtifact),
}

#[derive(clap::Args)]
pub struct PushArtifact {
    /// oci://<registry>/<repository>:<tag>
    url: Option<String>,
    /// The directory (or file; `-` for stdin) to push.
    #[arg(short = 'f', long, default_value = "")]
    path: String,
    /// The source address, e.g. the Git URL.
    #[arg(long, default_value = "")]
    source: String,
    /// The source revision in the format '<branch|tag>@sha1:<commit-sha>'.
    #[arg(long, default_value = "")]
    revision: String,
    /// Paths to ignore, in .gitignore format.
    #[arg(long, value_delimiter = ',', default_values_t = default_ignore_paths())]
    ignore_paths: Vec<String>,
    /// More paths to ignore, appended to --ignore-paths.
    #[arg(long, value_delimiter = ',')]
    add_ignore_paths: Vec<String>,
    /// Custom OCI annotations in the format '<key>=<value>', repeatable.
    #[arg(short = 'a', long)]
    annotations: Vec<String>,
    /// Print the digest as 'json' or 'yaml'.
    #[arg(short = 'o', long, default_value = "")]
    output: String,
    /// Set the created timestamp to '1970-01-01T00:00:00Z' for reproducible digests.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    reproducible: bool,
    /// Resolve symlinks by copying their targets into the artifact.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    resolve_symlinks: bool,
    /// Push over plain HTTP.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    insecure_registry: bool,
    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(clap::Subcommand)]
pub enum PullCommand {
    /// Pull an OCI artifact and extract its content.
    Artifact(PullArtifact),
}

#[derive(clap::Args)]
pub struct PullArtifact {
    url: Option<String>,
    /// Where to extract the content (an existing directory).
    #[arg(short = 'o', long, default_value = "")]
    output: String,
    /// Pull over plain HTTP.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    insecure_registry: bool,
    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(clap::Subcommand)]
pub enum TagCommand {
    /// Tag an OCI artifact.
    Artifact(TagArtifact),
}

#[derive(clap::Args)]
pub struct TagArtifact {
    url: Option<String>,
    /// The new tags, repeatable or comma-separated.
    #[arg(long, value_delimiter = ',')]
    tag: Vec<String>,
    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(clap::Subcommand)]
pub enum ListCommand {
    /// List the artifacts of an OCI repository.
    Artifacts(ListArtifacts),
}

#[derive(clap::Args)]
pub struct ListArtifacts {
    url: Option<String>,
    /// Only the tags in this semver range.
    #[arg(long, default_value = "")]
    filter_semver: String,
    /// Only the tags this regular expression matches.
    #[arg(long, default_value = "")]
    filter_regex: String,
    /// List over plain HTTP.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    insecure_registry: bool,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// `build artifact`'s flags.
#[derive(clap::Args)]
pub struct BuildArtifact {
    /// The directory (or file; `-` for stdin) to build.
    #[arg(short = 'p', long, default_value = "")]
    path: String,
    /// Where to write the tarball.
    #[arg(short = 'o', long, default_value = "artifact.tgz")]
    output: PathBuf,
    /// Paths to ignore, in .gitignore format.
    #[arg(long, value_delimiter = ',', default_values_t = default_ignore_paths())]
    ignore_paths: Vec<String>,
    /// More paths to ignore, appended to --ignore-paths.
    #[arg(long, value_delimiter = ',')]
    add_ignore_paths: Vec<String>,
    /// Resolve symlinks by copying their targets into the artifact.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    resolve_symlinks: bool,
}

/// fluxcd/pkg `ParseArtifactURL`: `oci://` and a reference; the address without the scheme.
pub(super) fn parse_artifact_url(url: &str) -> anyhow::Result<(String, Reference)> {
    let Some(address) = url.strip_prefix("oci://") else {
        bail!("URL must be in format 'oci://<domain>/<org>/<repo>'");
    };
    let reference = Reference::parse(address).map_err(|error| anyhow!("'{url}' invalid URL: {error}"))?;
    Ok((address.to_owned(), reference))
}

/// go-containerregistry's choice of plain HTTP: asked for, or a loopback, `localhost` or
/// private (RFC 1918) registry.
fn plain_http(registry: &str, insecure: bool) -> bool {
    if insecure {
        return true;
    }
    let host = match registry.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => registry.rsplit_once(':').map_or(registry, |(host, _)| host),
    };
    if host == "localhost" || host == "::1" {
        return true;
    }
    match host.parse::<std::net::Ipv4Addr>() {
        Ok(address) => address.is_loopback() || address.is_private(),
        Err(_) => false,
    }
}

/// The credentials: `--creds`, else docker's `config.json` (`$DOCKER_CONFIG`, else `~/.docker`).
fn credentials(creds: Option<&str>, registry: &str) -> anyhow::Result<Option<Credentials>> {
    if let Some(creds) = creds.filter(|creds| !creds.is_empty()) {
        say::action("logging in to registry with credentials");
        return match creds.split_once(':') {
            Some((username, password)) => Ok(Some(Credentials::new(username, password))),
            None => bail!("could not login with credentials: registry tokens without a username are not supported"),
        };
    }
    let dir = match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(".docker"),
            None => return Ok(None),
        },
    };
    let Ok(json) = std::fs::read(dir.join("config.json")) else { return Ok(None) };
    let config =
        DockerConfig::parse(&json).map_err(|error| anyhow!("{}: {error}", dir.join("config.json").display()))?;
    Ok(config.credentials_for(registry))
}

pub(super) fn client(reference: &Reference, args: &RegistryArgs, insecure: bool) -> anyhow::Result<RegistryClient> {
    let options = ClientOptions {
        credentials: credentials(args.creds.as_deref(), &reference.registry)?,
        plain_http: plain_http(&reference.registry, insecure),
        ..ClientOptions::default()
    };
    Ok(RegistryClient::new(options)?)
}

/// Runs a verb off the async runtime: the registry client blocks.
pub async fn off_runtime(verb: impl FnOnce() -> anyhow::Result<()> + Send + 'static) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(verb).await.map_err(|error| anyhow!("the artifact task failed: {error}"))?
}

/// flux's `saveReaderToFile`: stdin, trailing line breaks trimmed, in a temporary `.yaml` file.
fn stdin_to_file() -> anyhow::Result<tempfile::TempPath> {
    let mut content = Vec::new();
    std::io::stdin().read_to_end(&mut content)?;
    while content.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        content.pop();
    }
    let mut file = tempfile::Builder::new()
        .suffix(".yaml")
        .tempfile()
        .map_err(|_| anyhow!("unable to create temp dir for stdin"))?;
    std::io::Write::write_all(&mut file, &content).map_err(|error| anyhow!("error writing stdin to file: {error}"))?;
    Ok(file.into_temp_path())
}

/// `--resolve-symlinks`: the path to a copy with the links resolved (kept while the returned
/// directory lives), else `path` itself.
fn resolve_symlinks(path: PathBuf, resolve: bool) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    if !resolve {
        return Ok((path, None));
    }
    let (resolved, copy) =
        artifact::resolve_symlinks(&path).map_err(|error| anyhow!("resolving symlinks failed: {error}"))?;
    Ok((resolved, Some(copy)))
}

/// flux's `composeIgnorePaths`.
fn compose_ignore_paths(ignore: &[String], add: &[String]) -> Vec<String> {
    ignore.iter().chain(add).cloned().collect()
}

/// A Go `os.Stat` error as Go prints it.
fn stat_error(path: &str, error: &std::io::Error) -> String {
    let why = match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    };
    format!("stat {path}: {why}")
}

impl PushCommand {
    pub fn run(self) -> anyhow::Result<()> {
        let PushCommand::Artifact(args) = self;
        let Some(url) = args.url.clone() else { bail!("artifact URL is required") };
        if args.source.is_empty() {
            bail!("--source is required");
        }
        if args.revision.is_empty() {
            bail!("--revision is required");
        }
        if args.path.is_empty() {
            bail!("invalid path {:?}", args.path);
        }
        let (address, reference) = parse_artifact_url(&url)?;
        let stdin = if args.path == "-" { Some(stdin_to_file()?) } else { None };
        let path = stdin.as_ref().map_or_else(|| PathBuf::from(&args.path), |path| path.to_path_buf());
        if let Err(error) = std::fs::metadata(&path) {
            let shown = path.display().to_string();
            bail!(
                "invalid path '{shown}', must point to an existing directory or file: {}",
                stat_error(&shown, &error)
            );
        }
        let (path, _resolved) = resolve_symlinks(path, args.resolve_symlinks)?;
        let mut annotations = BTreeMap::new();
        for annotation in &args.annotations {
            match annotation.split('=').collect::<Vec<_>>()[..] {
                [key, value] => annotations.insert(key.to_owned(), value.to_owned()),
                _ => bail!("invalid annotation {annotation}, must be in the format key=value"),
            };
        }
        let metadata = Metadata {
            created: if args.reproducible { artifact::REPRODUCIBLE_CREATED.to_owned() } else { String::new() },
            source: args.source.clone(),
            revision: args.revision.clone(),
            annotations,
        };
        let client = client(&reference, &args.registry, args.insecure_registry)?;
        if args.output.is_empty() {
            say::action(format!("pushing artifact to {address}"));
        }
        let ignore = compose_ignore_paths(&args.ignore_paths, &args.add_ignore_paths);
        let pushed = artifact::push(&client, &reference, &path, &ignore, &metadata)
            .map_err(|error| anyhow!("pushing artifact failed: {error}"))?;
        drop(stdin);
        let repository = format!("{}/{}", reference.registry, reference.repository);
        let tag = reference.tag.clone().unwrap_or_else(|| "latest".to_owned());
        let info = [
            ("url", format!("oci://{}", pushed.digest_reference)),
            ("repository", repository),
            ("tag", tag),
            ("digest", pushed.digest.clone()),
        ];
        match args.output.as_str() {
            "json" => {
                let fields: Vec<String> = info
                    .iter()
                    .map(|(key, value)| format!("  {:?}: {}", key, serde_json::Value::String(value.clone())))
                    .collect();
                print!("{{\n{}\n}}\n", fields.join(",\n"));
            }
            "yaml" => {
                let value: serde_json::Map<String, serde_json::Value> = info
                    .iter()
                    .map(|(key, value)| (key.to_string(), serde_json::Value::String(value.clone())))
                    .collect();
                print!("{}", weir_go_yaml::emit_document(&serde_json::Value::Object(value)));
            }
            _ => say::success(format!("artifact successfully pushed to {}", pushed.digest_reference)),
        }
        Ok(())
    }
}

impl PullCommand {
    pub fn run(self) -> anyhow::Result<()> {
        let PullCommand::Artifact(args) = self;
        let Some(url) = args.url.clone() else { bail!("artifact URL is required") };
        if args.output.is_empty() {
            bail!("output path cannot be empty");
        }
        match std::fs::metadata(&args.output) {
            Ok(metadata) if metadata.is_dir() => {}
            // flux wraps a nil error here: Go prints it so.
            Ok(_) => bail!("invalid output path {:?}: %!w(<nil>)", args.output),
            Err(error) => bail!("invalid output path {:?}: {}", args.output, stat_error(&args.output, &error)),
        }
        let (address, reference) = parse_artifact_url(&url)?;
        let client = client(&reference, &args.registry, args.insecure_registry)?;
        say::action(format!("pulling artifact from {address}"));
        let pulled = artifact::pull(&client, &reference, Path::new(&args.output))?;
        if !pulled.metadata.source.is_empty() {
            say::success(format!("source {}", pulled.metadata.source));
        }
        if !pulled.metadata.revision.is_empty() {
            say::success(format!("revision {}", pulled.metadata.revision));
        }
        say::success(format!("digest {}", pulled.digest_reference));
        say::success(format!("artifact content extracted to {}", args.output));
        Ok(())
    }
}

impl TagCommand {
    pub fn run(self) -> anyhow::Result<()> {
        let TagCommand::Artifact(args) = self;
        let Some(url) = args.url.clone() else { bail!("artifact name is required") };
        if args.tag.is_empty() {
            bail!("--tag is required");
        }
        let (_, reference) = parse_artifact_url(&url)?;
        let client = client(&reference, &args.registry, false)?;
        say::action("tagging artifact");
        for tag in &args.tag {
            let tagged =
                artifact::tag(&client, &reference, tag).map_err(|error| anyhow!("tagging artifact failed: {error}"))?;
            say::success(format!("artifact tagged as {tagged}"));
        }
        Ok(())
    }
}

impl ListCommand {
    pub fn run(self) -> anyhow::Result<()> {
        let ListCommand::Artifacts(args) = self;
        let Some(url) = args.url.clone() else { bail!("artifact repository URL is required") };
        let (address, reference) = parse_artifact_url(&url)?;
        let client = client(&reference, &args.registry, args.insecure_registry)?;
        let listed =
            artifact::list(&client, &reference, &address, Some(&args.filter_semver), Some(&args.filter_regex))?;
        let rows: Vec<Vec<String>> =
            listed.into_iter().map(|meta| vec![meta.url, meta.digest, meta.source, meta.revision]).collect();
        print!("{}", table::render(&["artifact", "digest", "source", "revision"], &rows));
        Ok(())
    }
}

impl BuildArtifact {
    /// `flux build artifact`.
    pub fn run(self) -> anyhow::Result<()> {
        if self.path.is_empty() {
            bail!("invalid path {:?}", self.path);
        }
        let stdin = if self.path == "-" { Some(stdin_to_file()?) } else { None };
        let path = stdin.as_ref().map_or_else(|| PathBuf::from(&self.path), |path| path.to_path_buf());
        if std::fs::metadata(&path).is_err() {
            bail!("invalid path '{}', must point to an existing directory or file", path.display());
        }
        let (path, _resolved) = resolve_symlinks(path, self.resolve_symlinks)?;
        say::action(format!("building artifact from {}", path.display()));
        let ignore = compose_ignore_paths(&self.ignore_paths, &self.add_ignore_paths);
        artifact::build_to_file(Path::new(&path), &ignore, &self.output)
            .map_err(|error| anyhow!("building artifact failed, error: {error}"))?;
        say::success(format!("artifact created at {}", self.output.display()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_as_go_containerregistry_picks_it() {
        assert!(plain_http("127.0.0.1:5000", false));
        assert!(plain_http("localhost:5000", false));
        assert!(plain_http("10.1.2.3", false));
        assert!(plain_http("[::1]:5000", false));
        assert!(!plain_http("ghcr.io", false));
        assert!(plain_http("ghcr.io", true));
    }

    #[test]
    fn urls_are_checked_as_flux_checks_them() {
        assert_eq!(
            parse_artifact_url("ghcr.io/org/app:v1").unwrap_err().to_string(),
            "URL must be in format 'oci://<domain>/<org>/<repo>'"
        );
        let (address, reference) = parse_artifact_url("oci://127.0.0.1:5000/org/app:v1").unwrap();
        assert_eq!(address, "127.0.0.1:5000/org/app:v1");
        assert_eq!(reference.tag.as_deref(), Some("v1"));
    }
}
