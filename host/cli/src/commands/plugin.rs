//! `weir plugin`: for plugin authors. `push` uploads a component as a Wasm OCI artifact (the
//! format a Plugin's `source.oci` pulls) and prints its digests; `inspect` tells what a
//! component, a file or an OCI reference, is: the worlds and `weir:plugin` versions it
//! exports, what it imports, its size and digest, and what it says about itself; `test` runs
//! a renderer on a directory under a Plugin's limits and grants, reporting what it used.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{anyhow, bail};
use weir_api::plugins::PluginWorld;
use weir_go_compat::time::parse_duration;
use weir_operator::plugin::loaded::Bound;
use weir_operator::plugin::policy::quantity;
use weir_plugin_host::renderer::{BuildOptions, LoadRestrictor, RendererPlugin};
use weir_plugin_host::{Limits, Plugin, PluginRuntime, UsageMeter};
use weir_registry::sha256_digest;
use weir_source::oci::{self, OciReference, component};

use super::artifact::{RegistryArgs, client, parse_artifact_url};
use super::flux::go_bool;
use crate::plugins::PluginOptions;

#[derive(clap::Subcommand)]
pub enum PluginCommand {
    /// Push a component to an OCI registry as a Wasm artifact; prints its digest.
    Push(PushPlugin),
    /// Show the worlds a component exports, what it imports, its size and digest.
    Inspect(InspectPlugin),
    /// Run a renderer component on a directory in the operator's sandbox and limits; print
    /// what it rendered, and the time and memory the call used.
    Test(TestPlugin),
}

#[derive(clap::Args)]
pub struct PushPlugin {
    /// oci://<registry>/<repository>:<tag>
    url: String,
    /// The component (`.wasm`) to push.
    #[arg(short = 'f', long)]
    file: PathBuf,
    /// Custom OCI annotations in the format '<key>=<value>', repeatable.
    #[arg(short = 'a', long)]
    annotations: Vec<String>,
    /// Push over plain HTTP.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    insecure_registry: bool,
    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(clap::Args)]
pub struct InspectPlugin {
    /// A `.wasm` file, or oci://<registry>/<repository>[:<tag>|@<digest>].
    component: String,
    /// Pull over plain HTTP.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = go_bool)]
    insecure_registry: bool,
    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(clap::Args)]
pub struct TestPlugin {
    /// The component (`.wasm`).
    component: PathBuf,
    /// The source tree the renderer reads (read-only, at /src).
    #[arg(long)]
    input: PathBuf,
    /// The path to render, relative to --input.
    #[arg(long, default_value = ".")]
    path: String,
    /// The memory limit, as a Plugin's spec.limits.memory (`64Mi`); the operator's default otherwise.
    #[arg(long)]
    memory: Option<String>,
    /// The time limit, as a Plugin's spec.limits.timeout (`5s`).
    #[arg(long)]
    timeout: Option<String>,
    /// An environment variable the plugin sees, NAME=VALUE, as a Plugin's grants.env; repeatable.
    #[arg(long)]
    env: Vec<String>,
}

impl PluginCommand {
    pub async fn run(self, plugins: &PluginOptions) -> anyhow::Result<()> {
        match self {
            PluginCommand::Push(args) => args.run(plugins).await,
            PluginCommand::Inspect(args) => args.run(plugins).await,
            PluginCommand::Test(args) => args.run(plugins).await,
        }
    }
}

impl PushPlugin {
    async fn run(self, plugins: &PluginOptions) -> anyhow::Result<()> {
        let wasm = std::fs::read(&self.file).map_err(|error| anyhow!("reading {}: {error}", self.file.display()))?;
        // Refuse what no weir could load, before it reaches a registry.
        let runtime = plugins.runtime()?;
        let worlds = runtime.interfaces(&runtime.load_bytes(&self.file.display().to_string(), &wasm)?).worlds();
        if worlds.is_empty() {
            bail!("{} exports no world of the weir:plugin package", self.file.display());
        }
        let mut annotations = BTreeMap::new();
        for annotation in &self.annotations {
            let Some((key, value)) = annotation.split_once('=') else {
                bail!("invalid annotation {annotation}, must be in the format key=value");
            };
            annotations.insert(key.to_owned(), value.to_owned());
        }
        let (address, reference) = parse_artifact_url(&self.url)?;
        if reference.tag.is_none() {
            bail!("'{}': a tag is required", self.url);
        }
        let pushed = tokio::task::spawn_blocking(move || {
            let client = client(&reference, &self.registry, self.insecure_registry)?;
            component::push(&client, &reference, &wasm, &annotations)
                .map_err(|error| anyhow!("pushing failed: {error}"))
        })
        .await??;
        let repository = address.rsplit_once(':').map_or(address.as_str(), |(repository, _)| repository);
        println!("pushed {} ({}) to oci://{repository}@{}", worlds.join(", "), pushed.component_digest, pushed.digest);
        Ok(())
    }
}

impl InspectPlugin {
    async fn run(self, plugins: &PluginOptions) -> anyhow::Result<()> {
        let (name, wasm) = match self.component.strip_prefix("oci://") {
            Some(_) => {
                let (address, reference) = parse_artifact_url(&self.component)?;
                let registry = self.registry;
                let insecure = self.insecure_registry;
                let wasm = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
                    let client = client(&reference, &registry, insecure)?;
                    let wanted = match (&reference.digest, &reference.tag) {
                        (Some(digest), _) => OciReference::Digest(digest.clone()),
                        (None, tag) => OciReference::Tag(tag.clone().unwrap_or_else(|| "latest".into())),
                    };
                    let repository = weir_registry::Reference { tag: None, digest: None, ..reference };
                    let resolved = oci::resolve(&client, &repository, &wanted, None)?;
                    Ok(component::pull(&client, &resolved)?.wasm)
                })
                .await??;
                (address, wasm)
            }
            None => {
                let wasm =
                    std::fs::read(&self.component).map_err(|error| anyhow!("reading {}: {error}", self.component))?;
                (self.component.clone(), wasm)
            }
        };
        let runtime = plugins.runtime()?;
        let plugin = runtime.load_bytes(&name, &wasm)?;
        print!("{}", describe(&runtime, plugin, &name, &wasm).await);
        Ok(())
    }
}

impl TestPlugin {
    async fn run(self, plugins: &PluginOptions) -> anyhow::Result<()> {
        let mut limits = Limits::default();
        if let Some(memory) = &self.memory {
            let bytes = quantity(memory).map_err(|error| anyhow!("--memory {memory}: {error}"))?;
            limits.memory_bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        }
        if let Some(timeout) = &self.timeout {
            limits.timeout = parse_duration(timeout).map_err(|error| anyhow!("--timeout {timeout}: {error}"))?;
        }
        let mut env = Vec::new();
        for variable in &self.env {
            let Some((name, value)) = variable.split_once('=') else { bail!("--env {variable}: expected NAME=VALUE") };
            env.push((name.to_owned(), value.to_owned()));
        }
        let runtime = plugins.runtime()?;
        let meter = Arc::new(UsageMeter::default());
        let plugin =
            runtime.load_file(&self.component)?.with_limits(limits.clone()).with_env(env).with_meter(meter.clone());
        let worlds = runtime.interfaces(&plugin).worlds();
        if !worlds.iter().any(|world| world.starts_with("renderer@")) {
            bail!(
                "{} is not a renderer (it exports {}); plugin test runs renderers",
                self.component.display(),
                worlds.join(", ")
            );
        }
        let renderer = RendererPlugin::new(runtime, plugin)?;
        let path = self.path.trim_start_matches("./");
        let options = BuildOptions {
            load_restrictor: LoadRestrictor::None,
            generate_kustomization: true,
            ..BuildOptions::new(if path.is_empty() { "." } else { path })
        };
        let outcome = renderer.build("plugin-test", &self.input, &options).await;
        let usage = meter.read();
        let used = format!(
            "{:.1} ms (instantiate + call, limit {}), memory {:.1} MiB (limit {:.0} MiB)",
            usage.last_call.as_secs_f64() * 1e3,
            weir_go_compat::time::format_duration(limits.timeout),
            usage.last_memory_bytes as f64 / (1 << 20) as f64,
            limits.memory_bytes as f64 / (1 << 20) as f64,
        );
        match outcome? {
            Ok(rendered) => {
                print!("{}", rendered.documents.join("---\n"));
                for warning in &rendered.warnings {
                    eprintln!("warning: {warning}");
                }
                eprintln!("✔ {} documents in {used}", rendered.documents.len());
                Ok(())
            }
            Err(error) => bail!("the plugin refused: {error} ({used})"),
        }
    }
}

/// The report `inspect` prints.
async fn describe(runtime: &Arc<PluginRuntime>, plugin: Plugin, name: &str, wasm: &[u8]) -> String {
    let interfaces = runtime.interfaces(&plugin);
    let mut report =
        format!("component: {name}\nsize:      {} bytes\ndigest:    {}\n", wasm.len(), sha256_digest(wasm));
    let worlds = interfaces.worlds();
    report.push_str(&format!(
        "worlds:    {}\n",
        if worlds.is_empty() { "none of weir:plugin".into() } else { worlds.join(", ") }
    ));
    if let Some(info) = self_description(runtime, plugin, &worlds).await {
        report.push_str(&format!("describes: {info}\n"));
    }
    report.push_str("exports:\n");
    for export in &interfaces.exports {
        report.push_str(&format!("  {export}\n"));
    }
    report.push_str("imports:\n");
    for import in &interfaces.imports {
        report.push_str(&format!("  {import}\n"));
    }
    report
}

/// What a 0.2 component's `describe` says (its name and version), bound to its first world.
async fn self_description(runtime: &Arc<PluginRuntime>, plugin: Plugin, worlds: &[String]) -> Option<String> {
    let world = worlds.first()?.split('@').next()?;
    let world: PluginWorld = serde_json::from_value(serde_json::Value::from(world)).ok()?;
    let info = Bound::bind(runtime, plugin, world)?.ok()?.plugin().describe("inspect").await.ok()??;
    Some(format!("{} {}", info.name, info.version))
}
