//! `weir helm template`: `helm template`, rendered by the chart-renderer
//! plugin in its sandbox, printed as Helm prints it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use weir_helm::capabilities::KubeVersion;
use weir_helm::user_values::ValueOptions;
use weir_plugin_host::chart_renderer::{
    Capabilities, ChartRendererPlugin, ChartRequest, PACKAGED_CHART, Release, RenderedChart,
};

use crate::plugins::PluginOptions;

/// The tenant CLI calls run as: the built-in defaults.
const CLI_TENANT: &str = "default";

/// What `helm template` calls a release it is not given a name for.
const DEFAULT_RELEASE_NAME: &str = "release-name";

#[derive(clap::Subcommand)]
pub enum HelmCommand {
    /// Render a chart's templates locally and print them, as `helm template`.
    Template(TemplateArgs),
}

#[derive(clap::Args)]
pub struct TemplateArgs {
    /// `[NAME] CHART`: the release name (default `release-name`) and a chart
    /// directory or packaged `.tgz`.
    #[arg(value_name = "[NAME] CHART", num_args = 1.., required = true)]
    args: Vec<String>,
    /// Values files, applied in order (several may be given, or comma-separated).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    values: Vec<String>,
    /// `key=value` pairs (`a.b=1,c={x,y}`), typed as Helm types them.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// `key=value` pairs whose values stay strings.
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    set_string: Vec<String>,
    /// `key=path` pairs whose values are the files' contents.
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    set_file: Vec<String>,
    /// `key=json` pairs whose values are JSON.
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    set_json: Vec<String>,
    /// The release namespace (`.Release.Namespace`).
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// Print the charts' `crds/` too.
    #[arg(long)]
    include_crds: bool,
    /// Leave out test hooks.
    #[arg(long)]
    skip_tests: bool,
    /// `.Capabilities.KubeVersion`.
    #[arg(long, value_name = "VERSION")]
    kube_version: Option<String>,
    /// Extra `.Capabilities.APIVersions` (`group/version` or `group/version/Kind`).
    #[arg(short = 'a', long = "api-versions", value_name = "API", value_delimiter = ',')]
    api_versions: Vec<String>,
    /// Print only the manifests rendered from these templates (paths or globs within the chart).
    #[arg(short = 's', long = "show-only", value_name = "TEMPLATE")]
    show_only: Vec<String>,
    /// Leave out hooks.
    #[arg(long)]
    no_hooks: bool,
    /// Render as an upgrade (`.Release.IsUpgrade`) rather than an install.
    #[arg(long)]
    is_upgrade: bool,
}

impl HelmCommand {
    /// Runs the command; failures print as Helm's do (`Error: …`) with exit status 1.
    pub async fn run(self, plugins: &PluginOptions) -> anyhow::Result<ExitCode> {
        let HelmCommand::Template(args) = self;
        match args.template(plugins).await {
            Ok(output) => {
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(output.as_bytes()).and_then(|()| stdout.flush())?;
                Ok(ExitCode::SUCCESS)
            }
            Err(message) => {
                eprintln!("Error: {message}");
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

impl TemplateArgs {
    async fn template(self, plugins: &PluginOptions) -> Result<String, String> {
        let (name, chart) = match self.args.as_slice() {
            [chart] => (DEFAULT_RELEASE_NAME.to_owned(), chart.clone()),
            [name, chart] => (name.clone(), chart.clone()),
            [_, _, extra @ ..] => {
                return Err(format!("expected at most two arguments, unexpected arguments: {}", extra.join(", ")));
            }
            [] => return Err("requires at least 1 arg(s), only received 0".into()),
        };
        validate_release_name(&name)?;
        // Empty: the plugin's default, Helm's (v1.33.0).
        let kube_version = match &self.kube_version {
            Some(version) => KubeVersion::parse(version).map_err(|err| err.to_string())?.version,
            None => String::new(),
        };
        let values = ValueOptions {
            value_files: self.values.clone(),
            json_values: self.set_json.clone(),
            values: self.set.clone(),
            string_values: self.set_string.clone(),
            file_values: self.set_file.clone(),
        }
        .merge(read_user_file)
        .map_err(|err| err.to_string())?;
        let staged;
        let chart_dir = match chart_location(&chart)? {
            ChartLocation::Directory(dir) => dir,
            ChartLocation::Archive(archive) => {
                staged = stage_archive(&archive)?;
                staged.path().to_owned()
            }
        };
        let request = ChartRequest {
            values_json: weir_helm::user_values::to_transport_json(&values),
            release: Release {
                name,
                namespace: self.namespace.clone(),
                revision: 1,
                is_install: !self.is_upgrade,
                is_upgrade: self.is_upgrade,
                service: "Helm".into(),
            },
            capabilities: Capabilities { kube_version, api_versions: self.api_versions.clone() },
            include_crds: self.include_crds,
            skip_tests: self.skip_tests,
        };
        let rendered = render(plugins, &chart_dir, &request).await?;
        let output = print_release(&rendered, !self.no_hooks);
        if self.show_only.is_empty() { Ok(output) } else { show_only(&output, &self.show_only) }
    }
}

async fn render(plugins: &PluginOptions, chart: &Path, request: &ChartRequest) -> Result<RenderedChart, String> {
    let (runtime, plugin) = plugins.load("helm").map_err(|err| format!("{err:#}"))?;
    let renderer = ChartRendererPlugin::new(runtime, plugin).map_err(|err| err.to_string())?;
    match renderer.template(CLI_TENANT, chart, request).await.map_err(|err| err.to_string())? {
        Ok(rendered) => {
            for warning in &rendered.warnings {
                eprintln!("{warning}");
            }
            Ok(rendered)
        }
        // Helm's own wording, as `helm template` prints it.
        Err(error) => Err(error.message),
    }
}

enum ChartLocation {
    Directory(PathBuf),
    Archive(PathBuf),
}

/// A local chart: a directory or a packaged chart. Repository and OCI
/// references need a chart repository client, which `helm template` has and
/// this command does not: they are refused with Helm's wording for a bad path.
fn chart_location(chart: &str) -> Result<ChartLocation, String> {
    let path = Path::new(chart);
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(ChartLocation::Directory(path.to_owned())),
        Ok(_) => Ok(ChartLocation::Archive(path.to_owned())),
        Err(_) if chart.starts_with('.') || chart.starts_with('/') => Err(format!("path {chart:?} not found")),
        Err(_) if chart.contains("://") => Err(format!("{chart}: only local charts can be rendered")),
        Err(_) if !chart.contains('/') => {
            Err(format!("non-absolute URLs should be in form of repo_name/path_to_chart, got: {chart}"))
        }
        Err(_) => Err(format!("{chart}: chart repositories are not supported; give a chart directory or .tgz")),
    }
}

/// A packaged chart goes to the plugin as is (Helm loads archives without
/// applying `.helmignore`), alone in a private directory under the name the
/// chart-renderer world expects.
fn stage_archive(archive: &Path) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::tempdir().map_err(|err| format!("cannot create a temporary directory: {err}"))?;
    std::fs::copy(archive, dir.path().join(PACKAGED_CHART)).map_err(|err| format!("{}: {err}", archive.display()))?;
    Ok(dir)
}

/// Reads a `-f` or `--set-file` file, with Go's wording for a failure.
fn read_user_file(name: &str) -> Result<String, String> {
    std::fs::read_to_string(name).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => format!("open {name}: no such file or directory"),
        std::io::ErrorKind::PermissionDenied => format!("open {name}: permission denied"),
        _ => format!("open {name}: {err}"),
    })
}

/// Helm's release-name rule: a DNS subdomain of at most 53 characters.
fn validate_release_name(name: &str) -> Result<(), String> {
    const PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    let valid = regex::Regex::new(PATTERN).is_ok_and(|re| re.is_match(name)) && name.len() <= 53;
    if valid {
        Ok(())
    } else {
        Err(format!(
            "release name {name:?}: invalid release name, must match regex {PATTERN} and the length must not be longer than 53"
        ))
    }
}

/// What `helm template` prints: the release manifest (CRDs, then manifests,
/// each as `---\n# Source: PATH\nCONTENT`), trimmed, then the hooks.
fn print_release(rendered: &RenderedChart, with_hooks: bool) -> String {
    let mut manifest = String::new();
    for document in rendered.crds.iter().chain(&rendered.manifests) {
        manifest.push_str(&format!("---\n# Source: {}\n{}\n", document.source, document.content));
    }
    let mut output = format!("{}\n", manifest.trim());
    if with_hooks {
        for hook in &rendered.hooks {
            output.push_str(&format!("---\n# Source: {}\n{}\n", hook.manifest.source, hook.manifest.content));
        }
    }
    output
}

/// `--show-only`: the printed documents whose template matches one of the
/// patterns (in Helm's document order), or Helm's error for a pattern that
/// matches none.
fn show_only(output: &str, patterns: &[String]) -> Result<String, String> {
    let documents = weir_helm::manifests::split_manifests(output);
    let mut shown = String::new();
    for pattern in patterns {
        let mut found = false;
        for document in &documents {
            let Some(template) = document.strip_prefix("# Source: ").and_then(|rest| rest.lines().next()) else {
                continue;
            };
            // The chart's own name is not part of the path users give.
            let Some((_, path)) = template.split_once('/') else { continue };
            if path_match(pattern, path) {
                shown.push_str(&format!("---\n{document}\n"));
                found = true;
            }
        }
        if !found {
            return Err(format!("could not find template {pattern} in chart"));
        }
    }
    Ok(shown)
}

/// Go's `filepath.Match` on `/`-separated paths: `*` and `?` stay within one
/// path segment, `[...]` classes (with `^` negation and ranges), `\\` escapes.
/// A malformed pattern matches nothing, as Helm ignores Match's error.
fn path_match(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    match_from(&pattern, &name)
}

fn match_from(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => {
            (0..=name.len()).take_while(|&i| i == 0 || name[i - 1] != '/').any(|i| match_from(rest, &name[i..]))
        }
        Some((first, rest)) => {
            let Some((&c, name_rest)) = name.split_first() else { return false };
            let consumed = match first {
                '?' => (c != '/').then_some(1),
                '[' => match_class(rest, c),
                '\\' => rest.first().filter(|&&escaped| escaped == c).map(|_| 2),
                literal => (*literal == c).then_some(1),
            };
            match consumed {
                // A class consumed its `]`; `consumed` counts pattern chars after `first`.
                Some(n) if *first == '[' => match_from(&rest[n..], name_rest),
                Some(n) => match_from(&pattern[n..], name_rest),
                None => false,
            }
        }
    }
}

/// Matches `c` against the class whose body starts at `class` (after `[`); the
/// number of pattern chars up to and including `]` when it matches.
fn match_class(class: &[char], c: char) -> Option<usize> {
    if c == '/' {
        return None;
    }
    let (negated, mut i) = if class.first() == Some(&'^') { (true, 1) } else { (false, 0) };
    let mut matched = false;
    let mut first = true;
    loop {
        let lo = *class.get(i)?;
        if lo == ']' && !first {
            return (matched != negated).then_some(i + 1);
        }
        first = false;
        let (lo, next) = if lo == '\\' { (*class.get(i + 1)?, i + 2) } else { (lo, i + 1) };
        if class.get(next) == Some(&'-') && class.get(next + 1).is_some_and(|&hi| hi != ']') {
            let (hi, after) =
                if class[next + 1] == '\\' { (*class.get(next + 2)?, next + 3) } else { (class[next + 1], next + 2) };
            matched |= lo <= c && c <= hi;
            i = after;
        } else {
            matched |= lo == c;
            i = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::path_match;

    #[test]
    fn show_only_patterns_match_as_go_filepath_match() {
        assert!(path_match("templates/service.yaml", "templates/service.yaml"));
        assert!(path_match("templates/*.yaml", "templates/service.yaml"));
        assert!(!path_match("templates/*", "templates/tests/test.yaml"));
        assert!(path_match("templates/*/*", "templates/tests/test.yaml"));
        assert!(path_match("templates/s?rvice.yaml", "templates/service.yaml"));
        assert!(path_match("templates/[a-s]ervice.yaml", "templates/service.yaml"));
        assert!(!path_match("templates/[^s]ervice.yaml", "templates/service.yaml"));
        assert!(path_match("templates/\\*.yaml", "templates/*.yaml"));
        assert!(!path_match("templates/[", "templates/a"));
    }
}
