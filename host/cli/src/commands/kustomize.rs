//! `weir kustomize DIR`: `kubectl kustomize`, built by the renderer plugin
//! in its sandbox.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use weir_plugin_host::renderer::{BuildOptions, LoadRestrictor, RendererPlugin, Reorder};

use crate::plugins::PluginOptions;

/// The tenant CLI calls run as: the built-in defaults.
const CLI_TENANT: &str = "default";

#[derive(clap::Args)]
pub struct KustomizeArgs {
    /// The directory holding kustomization.yaml.
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Whether files outside the kustomization's directory may be loaded.
    #[arg(long, value_name = "RESTRICTOR", default_value = "LoadRestrictionsRootOnly")]
    load_restrictor: LoadRestrictorArg,
    /// Output order: kustomize's legacy kind order, or the order of loading.
    #[arg(long, value_name = "ORDER")]
    reorder: Option<ReorderArg>,
    /// Write the output to this file instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// The tree the plugin may read (read-only). Default: the git work tree
    /// holding DIR, or the whole filesystem when DIR is in none (as kubectl
    /// kustomize may read any file it is pointed to).
    #[arg(long, value_name = "DIR")]
    source_root: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LoadRestrictorArg {
    #[value(name = "LoadRestrictionsRootOnly")]
    RootOnly,
    #[value(name = "LoadRestrictionsNone")]
    None,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReorderArg {
    Legacy,
    None,
}

impl KustomizeArgs {
    pub async fn run(self, plugins: &PluginOptions) -> anyhow::Result<()> {
        let dir =
            std::fs::canonicalize(&self.dir).with_context(|| format!("{}: no such directory", self.dir.display()))?;
        let root = match &self.source_root {
            Some(root) => {
                std::fs::canonicalize(root).with_context(|| format!("{}: no such directory", root.display()))?
            }
            None => enclosing_work_tree(&dir).unwrap_or_else(|| PathBuf::from("/")),
        };
        let path = dir
            .strip_prefix(&root)
            .with_context(|| format!("{} is not inside the source root {}", dir.display(), root.display()))?;
        let options = BuildOptions {
            path: if path.as_os_str().is_empty() { ".".into() } else { path.display().to_string() },
            load_restrictor: match self.load_restrictor {
                LoadRestrictorArg::RootOnly => LoadRestrictor::RootOnly,
                LoadRestrictorArg::None => LoadRestrictor::None,
            },
            reorder: self.reorder.map(|order| match order {
                ReorderArg::Legacy => Reorder::Legacy,
                ReorderArg::None => Reorder::None,
            }),
            ..BuildOptions::new(".")
        };
        let (runtime, plugin) = plugins.load("kustomize")?;
        let renderer = RendererPlugin::new(runtime, plugin)?;
        let rendered = match renderer.build(CLI_TENANT, &root, &options).await? {
            Ok(rendered) => rendered,
            // kustomize's own message already names the file, as kubectl prints it.
            Err(error) => bail!("{}", error.message),
        };
        for warning in &rendered.warnings {
            eprintln!("# Warning: {warning}");
        }
        let stream = rendered.documents.join("---\n");
        match &self.output {
            Some(file) => std::fs::write(file, &stream).with_context(|| format!("writing {}", file.display())),
            None => {
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(stream.as_bytes()).and_then(|()| stdout.flush()).context("writing stdout")
            }
        }
    }
}

/// The top of the git work tree holding `dir`, if any.
pub fn enclosing_work_tree(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|ancestor| ancestor.join(".git").exists()).map(Path::to_path_buf)
}
