//! The Plugin and ClusterPlugin controllers (`plugins.weir.dev/v1alpha1`): admit a tenant's
//! Plugin by the PluginPolicies of its namespace ([`policy`]; a ClusterPlugin is the
//! operator's owner's and needs none), fetch its component from an OCI registry or a
//! ConfigMap ([`fetch`]), check its cosign signature (its own `verify`, and the policy's
//! signers) before anything compiles it, compile it once per digest, bind it to its world
//! with its own limits and grants, and serve it ([`loaded::TenantPlugins`]): a Plugin to the
//! controllers of its namespace, a ClusterPlugin to every namespace. Each interval looks for
//! a new digest.
//!
//! A new digest that cannot be pulled or verified leaves the last loaded (and verified)
//! component serving, as a source keeps its artifact; a refusal of the Plugin itself (policy,
//! world, imports, compilation) stops serving it at once.

mod fetch;
pub mod loaded;
pub mod policy;

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::Api;
use kube::runtime::controller::Controller;
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::watcher;
use kube::{Resource, ResourceExt};
use weir_api::plugins::{
    ClusterPlugin, Plugin, PluginPolicy, PluginSpec, PluginStatus, PluginWorld, RENDERER_ANNOTATION,
};
use weir_api::status::Reconcilable;
use weir_go_compat::time::format_duration;
use weir_plugin_host::LoadError;

use crate::reconciler::{self, Failure, Lifecycle, ObjectScope, Ready, Reconciler, Retry};
use fetch::{Fetched, Source};
use loaded::{Bound, Loaded, Owner, TenantPlugins};
use policy::Admission;

/// Condition type: whether the component's signature checked out.
pub const VERIFIED: &str = "Verified";

/// The Plugin controller's reasons.
pub mod reason {
    pub const LOADED: &str = "Loaded";
    pub const PULL_FAILED: &str = "PullFailed";
    pub const VERIFICATION_FAILED: &str = "VerificationFailed";
    pub const POLICY_VIOLATION: &str = "PolicyViolation";
    pub const WORLD_MISMATCH: &str = "WorldMismatch";
    pub const IMPORT_NOT_GRANTED: &str = "ImportNotGranted";
    pub const COMPILE_FAILED: &str = "CompileFailed";
    /// A consumer's reason when a call of a tenant plugin trapped, ran out of time or memory.
    pub const PLUGIN_FAILED: &str = "PluginFailed";
    /// A consumer's reason when the Plugin it names is not loaded.
    pub const PLUGIN_NOT_READY: &str = "PluginNotReady";
}

/// A kind of plugin object: Plugin (a tenant's, under its namespace's PluginPolicies) or
/// ClusterPlugin (the operator's owner's, under none).
pub trait PluginKind: Reconcilable<Status = PluginStatus> + Resource<Scope: ObjectScope> {
    /// Whether PluginPolicies judge objects of this kind (and a policy change re-judges them).
    const UNDER_POLICY: bool;
    fn plugin_spec(&self) -> &PluginSpec;
    fn owner(&self) -> Owner;
}

impl PluginKind for Plugin {
    const UNDER_POLICY: bool = true;
    fn plugin_spec(&self) -> &PluginSpec {
        &self.spec
    }
    fn owner(&self) -> Owner {
        Owner::Tenant(self.namespace().unwrap_or_default())
    }
}

impl PluginKind for ClusterPlugin {
    const UNDER_POLICY: bool = false;
    fn plugin_spec(&self) -> &PluginSpec {
        &self.spec.plugin
    }
    fn owner(&self) -> Owner {
        Owner::Cluster
    }
}

/// The controller of one plugin kind.
pub struct PluginController<K> {
    tenants: TenantPlugins,
    /// Where a ClusterPlugin's Secrets and ConfigMap are read: the operator's namespace.
    operator_namespace: String,
    kind: PhantomData<fn() -> K>,
}

/// The Plugin controller.
pub type Plugins = PluginController<Plugin>;
/// The ClusterPlugin controller.
pub type ClusterPlugins = PluginController<ClusterPlugin>;

impl<K> PluginController<K> {
    pub fn new(tenants: TenantPlugins, operator_namespace: String) -> Self {
        Self { tenants, operator_namespace, kind: PhantomData }
    }
}

/// Runs the controller of `K` until `shutdown`.
pub async fn run<K: PluginKind>(
    lifecycle: Arc<Lifecycle<PluginController<K>>>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let mut controller = reconciler::controller(&lifecycle);
    if K::UNDER_POLICY {
        let every_plugin = controller.store();
        // A changed (or deleted) policy judges every Plugin again at once: revoking takes
        // effect without waiting for the Plugins' intervals.
        controller = controller.watches(
            Api::<PluginPolicy>::all(lifecycle.client.clone()),
            watcher::Config::default(),
            move |_| every_plugin.state().iter().map(|plugin| ObjectRef::from_obj(&**plugin)).collect::<Vec<_>>(),
        );
    }
    reconciler::run(controller, lifecycle, shutdown).await;
}

impl<K: PluginKind> Reconciler for PluginController<K> {
    type Object = K;
    const CONTROLLER: &'static str = "plugin-controller";

    async fn reconcile(
        &self,
        object: &K,
        status: &mut PluginStatus,
        context: &Lifecycle<Self>,
    ) -> Result<Ready, Failure> {
        let spec = object.plugin_spec();
        let owner = object.owner();
        let name = object.name_any();
        let refused = |reason: &'static str, message: String| {
            self.tenants.remove(&owner, &name);
            Failure::new(reason, message, Retry::Backoff)
        };
        if spec.world == PluginWorld::KrmFunction {
            self.tenants.remove(&owner, &name);
            return Err(unserved(spec.world));
        }
        let source = Source::of(spec).inspect_err(|_| self.tenants.remove(&owner, &name))?;
        let (admission, references) = match &owner {
            Owner::Tenant(namespace) => {
                let admission = admit(namespace, spec, source.origin(), &context.client).await?;
                (admission.map_err(|message| refused(reason::POLICY_VIOLATION, message))?, namespace.as_str())
            }
            Owner::Cluster => {
                let admission = Admission::cluster(spec).map_err(|message| {
                    self.tenants.remove(&owner, &name);
                    Failure::invalid_spec("spec.limits", message)
                })?;
                (admission, self.operator_namespace.as_str())
            }
        };

        let generation = object.meta().generation;
        let fetched = match source.fetch(spec, references, &admission, &context.client).await {
            Ok(fetched) => fetched,
            Err(fetch::Failed::Verification(message)) => {
                let conditions = status.conditions.get_or_insert_default();
                crate::conditions::set(conditions, VERIFIED, false, reason::VERIFICATION_FAILED, &message, generation);
                return Err(Failure::new(reason::VERIFICATION_FAILED, message, Retry::Backoff));
            }
            Err(fetch::Failed::Pull(message)) => {
                return Err(Failure::new(reason::PULL_FAILED, message, Retry::Backoff));
            }
        };
        let Fetched { wasm, digest, revision, verified_by } = fetched;
        let conditions = status.conditions.get_or_insert_default();
        match &verified_by {
            Some(signers) => {
                let message = format!("verified signature of {revision} with {signers}");
                crate::conditions::set(
                    conditions,
                    VERIFIED,
                    true,
                    crate::conditions::reason::SUCCEEDED,
                    &message,
                    generation,
                );
            }
            None => crate::conditions::remove(conditions, VERIFIED),
        }

        let described = match &owner {
            Owner::Tenant(namespace) => format!("{namespace}/{name}"),
            Owner::Cluster => name.clone(),
        };
        let (compiled, compile_time) = self
            .tenants
            .compile(&described, &digest, &wasm)
            .map_err(|error| refused(reason::COMPILE_FAILED, error.to_string()))?;
        let interfaces = self.tenants.runtime().interfaces(&compiled);
        let env = spec.grants.as_ref().map(|grants| grants.env.clone().into_iter().collect()).unwrap_or_default();
        let configured = compiled.with_limits(admission.limits.clone()).with_env(env);
        let bound = match Bound::bind(self.tenants.runtime(), configured, spec.world) {
            Some(Ok(bound)) => bound,
            Some(Err(error @ LoadError::ImportNotGranted { .. })) => {
                return Err(refused(reason::IMPORT_NOT_GRANTED, error.to_string()));
            }
            Some(Err(error @ LoadError::WrongWorld { .. })) => {
                return Err(refused(reason::WORLD_MISMATCH, error.to_string()));
            }
            Some(Err(error)) => return Err(refused(reason::COMPILE_FAILED, error.to_string())),
            None => return Err(unserved(spec.world)),
        };
        let wanted = format!("{}@", spec.world);
        let world = interfaces.worlds().into_iter().find(|world| world.starts_with(&wanted)).unwrap_or(wanted);
        let previous = self.tenants.digest(&owner, &name);
        self.tenants.insert(&owner, &name, Loaded { digest: digest.clone(), bound });
        if previous.as_deref() != Some(digest.as_str()) {
            tracing::info!(kind = K::KIND, plugin = described, %digest, %revision, "loaded plugin");
            let note = format!("loaded {world} component {digest} from {revision}");
            context.publish(object, false, "NewDigest", note).await;
        }
        status.digest = Some(digest.clone());
        status.revision = Some(revision.clone());
        status.world = Some(world.clone());
        status.imports = Some(interfaces.imports);
        status.size = i64::try_from(wasm.len()).ok();
        status.compile_time = Some(format_duration(compile_time));
        status.effective_limits = Some(admission.effective.clone());
        Ok(Ready::new(reason::LOADED, format!("serving {world} component {digest} ({})", admission.described())))
    }

    async fn finalize(&self, object: &K, _: &Lifecycle<Self>) {
        self.tenants.remove(&object.owner(), &object.name_any());
    }

    fn progress_message(&self, _: &K) -> String {
        "loading component".into()
    }
}

/// `controller`, also woken by the Plugins and ClusterPlugins its objects' renderer annotation
/// ([`RENDERER_ANNOTATION`]) names once they load a component, so a new digest renders again.
pub fn watch_renderers<K: Reconcilable>(controller: Controller<K>, client: &kube::Client) -> Controller<K> {
    let (by_plugin, by_cluster_plugin) = (controller.store(), controller.store());
    controller
        .watches(Api::<Plugin>::all(client.clone()), watcher::Config::default(), move |plugin| {
            rendered_by(&by_plugin, &plugin)
        })
        .watches(Api::<ClusterPlugin>::all(client.clone()), watcher::Config::default(), move |plugin| {
            rendered_by(&by_cluster_plugin, &plugin)
        })
}

/// The objects of `store` whose renderer annotation names `plugin`, once it has loaded a
/// component: of its namespace for a Plugin, of every namespace for a ClusterPlugin.
fn rendered_by<K: Reconcilable, P: PluginKind>(store: &reflector::Store<K>, plugin: &P) -> Vec<ObjectRef<K>> {
    if plugin.status().and_then(|status| status.digest.as_ref()).is_none() {
        return Vec::new();
    }
    let (owner, name) = (plugin.owner(), plugin.name_any());
    store
        .state()
        .into_iter()
        .filter(|object| {
            object.annotations().get(RENDERER_ANNOTATION) == Some(&name)
                && match &owner {
                    Owner::Tenant(namespace) => object.namespace().as_ref() == Some(namespace),
                    Owner::Cluster => true,
                }
        })
        .map(|object| ObjectRef::from_obj(&*object))
        .collect()
}

/// Admits the Plugin of `namespace` by the PluginPolicies selecting it. The outer error is the
/// API server not answering, which is no refusal: what is loaded keeps serving.
async fn admit(
    namespace: &str,
    spec: &PluginSpec,
    origin: policy::Origin<'_>,
    client: &kube::Client,
) -> Result<Result<Admission, String>, Failure> {
    let policies = Api::<PluginPolicy>::all(client.clone()).list(&Default::default()).await.map_err(|error| {
        Failure::new(reason::POLICY_VIOLATION, format!("listing PluginPolicies: {error}"), Retry::Backoff)
    })?;
    let labels = namespace_labels(client, namespace).await?;
    Ok(policy::admit(namespace, spec, origin, &labels, &policies.items))
}

/// A world the WIT package does not define yet: stalled until the spec names another.
fn unserved(world: PluginWorld) -> Failure {
    Failure::invalid_spec("spec.world", format!("the {world} world is not served by this version of weir yet"))
}

/// The labels of `namespace`, which PluginPolicies select by.
async fn namespace_labels(client: &kube::Client, namespace: &str) -> Result<BTreeMap<String, String>, Failure> {
    let namespaces = Api::<Namespace>::all(client.clone());
    match namespaces.get_opt(namespace).await {
        Ok(found) => Ok(found.map(|namespace| namespace.labels().clone()).unwrap_or_default()),
        Err(error) => Err(Failure::new(
            reason::POLICY_VIOLATION,
            format!("reading namespace '{namespace}' for its PluginPolicies: {error}"),
            Retry::Backoff,
        )),
    }
}
