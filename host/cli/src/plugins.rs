//! Finding the built-in plugins and starting the plugin runtime.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use weir_plugin_host::{Plugin, PluginRuntime, RuntimeConfig};

#[derive(clap::Args)]
pub struct PluginOptions {
    /// Directory holding the plugin components (NAME.wasm). Default: the
    /// `plugins` directory next to the weir binary's directory
    /// (target/plugins for a cargo build), then /usr/lib/weir/plugins.
    #[arg(long, global = true, env = "WEIR_PLUGIN_DIR", value_name = "DIR")]
    plugin_dir: Option<PathBuf>,
    /// Where compiled plugins are cached across runs.
    /// Default: $XDG_CACHE_HOME/weir/plugins or ~/.cache/weir/plugins.
    #[arg(long, global = true, env = "WEIR_CACHE_DIR", value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

impl PluginOptions {
    /// The runtime and the built-in plugin `name`.
    pub fn load(&self, name: &str) -> anyhow::Result<(Arc<PluginRuntime>, Plugin)> {
        let runtime = self.runtime()?;
        let plugin = self.load_into(&runtime, name)?;
        Ok((runtime, plugin))
    }

    /// A runtime with the compilation cache, for loading several plugins.
    pub fn runtime(&self) -> anyhow::Result<Arc<PluginRuntime>> {
        Ok(Arc::new(PluginRuntime::new(RuntimeConfig { cache_dir: self.cache_dir(), ..Default::default() })?))
    }

    /// Loads the plugin `name` into `runtime`.
    pub fn load_into(&self, runtime: &PluginRuntime, name: &str) -> anyhow::Result<Plugin> {
        let path = self.find(name)?;
        Ok(runtime.load_file(&path)?)
    }

    /// Whether the plugin `name` is installed.
    pub fn has(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    fn find(&self, name: &str) -> anyhow::Result<PathBuf> {
        let file = format!("{name}.wasm");
        let candidates = self.plugin_dirs();
        candidates.iter().map(|dir| dir.join(&file)).find(|path| path.is_file()).with_context(|| {
            let searched: Vec<String> = candidates.iter().map(|dir| dir.display().to_string()).collect();
            format!("plugin {file} not found in {} (build it with scripts/build-plugins)", searched.join(", "))
        })
    }

    fn plugin_dirs(&self) -> Vec<PathBuf> {
        if let Some(dir) = &self.plugin_dir {
            return vec![dir.clone()];
        }
        let beside_binary = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().and_then(|bin| bin.parent()).map(|prefix| prefix.join("plugins")));
        beside_binary.into_iter().chain([PathBuf::from("/usr/lib/weir/plugins")]).collect()
    }

    fn cache_dir(&self) -> Option<PathBuf> {
        self.cache_dir.clone().or_else(|| {
            let cache_home = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
            Some(cache_home.join("weir/plugins"))
        })
    }
}
