//! The tenant plugins the Plugin controller has loaded, for the controllers that call them.
//!
//! A controller asks for a plugin by its object's namespace and a name: the Plugin of that
//! namespace, else the ClusterPlugin of that name. Only the Plugins of the object's own
//! namespace are reachable, so one tenant can never run (or learn of) another's.
//! Compiled code is shared by digest (a component's machine code is read-only); each Plugin
//! keeps its own bound handle with its own limits and grants, and every call its own store.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use weir_api::plugins::PluginWorld;
use weir_plugin_host::chart_renderer::ChartRendererPlugin;
use weir_plugin_host::decryptor::DecryptorPlugin;
use weir_plugin_host::notifier::NotifierPlugin;
use weir_plugin_host::post_renderer::PostRendererPlugin;
use weir_plugin_host::renderer::RendererPlugin;
use weir_plugin_host::tag_policy::TagPolicyPlugin;
use weir_plugin_host::{BoundPlugin, LoadError, Plugin, PluginRuntime};

/// A component bound to the world its Plugin names.
#[derive(Clone)]
pub enum Bound {
    Renderer(Arc<RendererPlugin>),
    ChartRenderer(Arc<ChartRendererPlugin>),
    Decryptor(Arc<DecryptorPlugin>),
    Notifier(Arc<NotifierPlugin>),
    TagPolicy(Arc<TagPolicyPlugin>),
    PostRenderer(Arc<PostRendererPlugin>),
}

impl Bound {
    /// Binds `plugin` to `world`; `None` for worlds no WIT version defines yet.
    pub fn bind(runtime: &Arc<PluginRuntime>, plugin: Plugin, world: PluginWorld) -> Option<Result<Self, LoadError>> {
        let runtime = runtime.clone();
        Some(match world {
            PluginWorld::Renderer => RendererPlugin::new(runtime, plugin).map(|p| Self::Renderer(Arc::new(p))),
            PluginWorld::ChartRenderer => {
                ChartRendererPlugin::new(runtime, plugin).map(|p| Self::ChartRenderer(Arc::new(p)))
            }
            PluginWorld::Decryptor => DecryptorPlugin::new(runtime, plugin).map(|p| Self::Decryptor(Arc::new(p))),
            PluginWorld::Notifier => NotifierPlugin::new(runtime, plugin).map(|p| Self::Notifier(Arc::new(p))),
            PluginWorld::TagPolicy => TagPolicyPlugin::new(runtime, plugin).map(|p| Self::TagPolicy(Arc::new(p))),
            PluginWorld::PostRenderer => {
                PostRendererPlugin::new(runtime, plugin).map(|p| Self::PostRenderer(Arc::new(p)))
            }
            PluginWorld::KrmFunction => return None,
        })
    }

    /// The bound component, whatever its world.
    pub fn plugin(&self) -> &BoundPlugin {
        match self {
            Self::Renderer(plugin) => plugin,
            Self::ChartRenderer(plugin) => plugin,
            Self::Decryptor(plugin) => plugin,
            Self::Notifier(plugin) => plugin,
            Self::TagPolicy(plugin) => plugin,
            Self::PostRenderer(plugin) => plugin,
        }
    }

    fn world(&self) -> PluginWorld {
        match self {
            Self::Renderer(_) => PluginWorld::Renderer,
            Self::ChartRenderer(_) => PluginWorld::ChartRenderer,
            Self::Decryptor(_) => PluginWorld::Decryptor,
            Self::Notifier(_) => PluginWorld::Notifier,
            Self::TagPolicy(_) => PluginWorld::TagPolicy,
            Self::PostRenderer(_) => PluginWorld::PostRenderer,
        }
    }
}

/// Whose a loaded plugin is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A Plugin of this namespace.
    Tenant(String),
    /// A ClusterPlugin, offered to every namespace.
    Cluster,
}

/// One loaded Plugin.
#[derive(Clone)]
pub struct Loaded {
    /// The component's `sha256:` digest.
    pub digest: String,
    pub bound: Bound,
}

/// Why the plugin an object names cannot serve it; the message names the plugin.
#[derive(Debug, thiserror::Error)]
pub enum Unavailable {
    #[error(
        "neither Plugin '{namespace}/{name}' nor ClusterPlugin '{name}' is loaded: they do not exist or are not Ready"
    )]
    NotLoaded { namespace: String, name: String },
    #[error("{plugin} implements the {actual} world, not {wanted}")]
    WrongWorld { plugin: String, actual: PluginWorld, wanted: PluginWorld },
}

/// The loaded tenant plugins, and the compiled components they share.
#[derive(Clone)]
pub struct TenantPlugins {
    runtime: Arc<PluginRuntime>,
    loaded: Arc<RwLock<HashMap<(Owner, String), Loaded>>>,
    compiled: Arc<RwLock<HashMap<String, Plugin>>>,
}

impl TenantPlugins {
    pub fn new(runtime: Arc<PluginRuntime>) -> Self {
        Self { runtime, loaded: Arc::default(), compiled: Arc::default() }
    }

    pub fn runtime(&self) -> &Arc<PluginRuntime> {
        &self.runtime
    }

    /// The component of `digest` compiled (or taken from the on-disk cache) once; its
    /// compilation time, zero when it was in memory already.
    pub fn compile(&self, name: &str, digest: &str, wasm: &[u8]) -> Result<(Plugin, std::time::Duration), LoadError> {
        if let Some(plugin) = read(&self.compiled).get(digest) {
            return Ok((plugin.clone(), std::time::Duration::ZERO));
        }
        let started = std::time::Instant::now();
        let plugin = self.runtime.load_bytes(name, wasm)?;
        let elapsed = started.elapsed();
        write(&self.compiled).insert(digest.to_owned(), plugin.clone());
        Ok((plugin, elapsed))
    }

    /// Serves `loaded` as `owner`'s plugin `name` from now on.
    pub fn insert(&self, owner: &Owner, name: &str, loaded: Loaded) {
        write(&self.loaded).insert((owner.clone(), name.to_owned()), loaded);
        self.forget_unused();
    }

    /// Stops serving `owner`'s plugin `name` (deleted, or no longer valid).
    pub fn remove(&self, owner: &Owner, name: &str) {
        write(&self.loaded).remove(&(owner.clone(), name.to_owned()));
        self.forget_unused();
    }

    /// The digest `owner`'s plugin `name` serves, if loaded.
    pub fn digest(&self, owner: &Owner, name: &str) -> Option<String> {
        read(&self.loaded).get(&(owner.clone(), name.to_owned())).map(|loaded| loaded.digest.clone())
    }

    /// The renderer `name` for the objects of `namespace`.
    pub fn renderer(&self, namespace: &str, name: &str) -> Result<Arc<RendererPlugin>, Unavailable> {
        self.find(namespace, name, PluginWorld::Renderer, |bound| match bound {
            Bound::Renderer(renderer) => Some(renderer),
            _ => None,
        })
    }

    /// The chart renderer `name` for the objects of `namespace`.
    pub fn chart_renderer(&self, namespace: &str, name: &str) -> Result<Arc<ChartRendererPlugin>, Unavailable> {
        self.find(namespace, name, PluginWorld::ChartRenderer, |bound| match bound {
            Bound::ChartRenderer(renderer) => Some(renderer),
            _ => None,
        })
    }

    /// The post-renderer `name` for the objects of `namespace`.
    pub fn post_renderer(&self, namespace: &str, name: &str) -> Result<Arc<PostRendererPlugin>, Unavailable> {
        self.find(namespace, name, PluginWorld::PostRenderer, |bound| match bound {
            Bound::PostRenderer(post_renderer) => Some(post_renderer),
            _ => None,
        })
    }

    /// Plugin `name` of `namespace`, else ClusterPlugin `name`, as `wanted` (which `pick` takes out).
    fn find<T>(
        &self,
        namespace: &str,
        name: &str,
        wanted: PluginWorld,
        pick: impl Fn(Bound) -> Option<T>,
    ) -> Result<T, Unavailable> {
        let loaded = read(&self.loaded);
        let tenant = (Owner::Tenant(namespace.to_owned()), name.to_owned());
        let cluster = (Owner::Cluster, name.to_owned());
        let (key, found) = [tenant, cluster]
            .into_iter()
            .find_map(|key| loaded.get(&key).map(|found| (key, found.bound.clone())))
            .ok_or_else(|| Unavailable::NotLoaded { namespace: namespace.to_owned(), name: name.to_owned() })?;
        let actual = found.world();
        pick(found).ok_or_else(|| {
            let plugin = match key.0 {
                Owner::Tenant(namespace) => format!("Plugin '{namespace}/{name}'"),
                Owner::Cluster => format!("ClusterPlugin '{name}'"),
            };
            Unavailable::WrongWorld { plugin, actual, wanted }
        })
    }

    /// Drops compiled components no loaded Plugin uses any more.
    fn forget_unused(&self) {
        let used: std::collections::HashSet<String> =
            read(&self.loaded).values().map(|loaded| loaded.digest.clone()).collect();
        write(&self.compiled).retain(|digest, _| used.contains(digest));
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}
