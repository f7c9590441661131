//! The Plugin controller (`plugins.weir.dev/v1alpha1` Plugin): admits a tenant's Plugin by
//! the PluginPolicies of its namespace ([`policy`]), fetches its component from an OCI
//! registry or a ConfigMap ([`fetch`]), checks its cosign signature (the tenant's `verify`,
//! and the policy's signers) before anything compiles it, compiles it once per digest, binds
//! it to its world with its own limits and grants, and serves it to the controllers of the
//! same namespace ([`loaded::TenantPlugins`]). Each interval looks for a new digest.
//!
//! A new digest that cannot be pulled or verified leaves the last loaded (and verified)
//! component serving, as a source keeps its artifact; a refusal of the Plugin itself (policy,
//! world, imports, compilation) stops serving it at once.

mod fetch;
pub mod loaded;
pub mod policy;

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Namespace;
use kube::ResourceExt;
use kube::api::Api;
use weir_api::plugins::{Plugin, PluginPolicy, PluginStatus, PluginWorld};
use weir_go_compat::time::format_duration;
use weir_plugin_host::LoadError;

use crate::reconciler::{self, Failure, Lifecycle, Ready, Reconciler, Retry};
use fetch::{Fetched, Source};
use loaded::{Bound, Loaded, TenantPlugins};

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

/// The Plugin controller's own state.
pub struct Plugins {
    tenants: TenantPlugins,
}

impl Plugins {
    pub fn new(tenants: TenantPlugins) -> Self {
        Self { tenants }
    }
}

/// Runs the controller until `shutdown`.
pub async fn run(lifecycle: Arc<Lifecycle<Plugins>>, shutdown: impl Future<Output = ()> + Send + Sync + 'static) {
    let controller = reconciler::controller::<Plugin>(&lifecycle.client);
    let every_plugin = controller.store();
    // A changed (or deleted) policy judges every Plugin again at once: revoking takes effect
    // without waiting for the Plugins' intervals.
    let controller = controller.watches(
        Api::<PluginPolicy>::all(lifecycle.client.clone()),
        kube::runtime::watcher::Config::default(),
        move |_| {
            every_plugin
                .state()
                .iter()
                .map(|plugin| kube::runtime::reflector::ObjectRef::from_obj(&**plugin))
                .collect::<Vec<_>>()
        },
    );
    reconciler::run(controller, lifecycle, shutdown).await;
}

impl Reconciler for Plugins {
    type Object = Plugin;
    const CONTROLLER: &'static str = "plugin-controller";

    async fn reconcile(
        &self,
        plugin: &Plugin,
        status: &mut PluginStatus,
        context: &Lifecycle<Self>,
    ) -> Result<Ready, Failure> {
        let namespace = plugin.namespace().unwrap_or_default();
        let name = plugin.name_any();
        let refused = |reason: &'static str, message: String| {
            self.tenants.remove(&namespace, &name);
            Failure::new(reason, message, Retry::Backoff)
        };
        if matches!(plugin.spec.world, PluginWorld::KrmFunction | PluginWorld::PostRenderer) {
            self.tenants.remove(&namespace, &name);
            return Err(unserved(plugin.spec.world));
        }
        let source = Source::of(plugin).inspect_err(|_| self.tenants.remove(&namespace, &name))?;
        let policies = Api::<PluginPolicy>::all(context.client.clone()).list(&Default::default()).await;
        // The API server not answering is no refusal: what is loaded keeps serving.
        let policies = policies.map_err(|error| {
            Failure::new(reason::POLICY_VIOLATION, format!("listing PluginPolicies: {error}"), Retry::Backoff)
        })?;
        let labels = namespace_labels(&context.client, &namespace).await?;
        let admission = policy::admit(plugin, source.origin(), &labels, &policies.items)
            .map_err(|message| refused(reason::POLICY_VIOLATION, message))?;

        let generation = plugin.metadata.generation;
        let fetched = match source.fetch(plugin, &admission, &context.client).await {
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

        let (compiled, compile_time) = self
            .tenants
            .compile(&format!("{namespace}/{name}"), &digest, &wasm)
            .map_err(|error| refused(reason::COMPILE_FAILED, error.to_string()))?;
        let interfaces = self.tenants.runtime().interfaces(&compiled);
        let env =
            plugin.spec.grants.as_ref().map(|grants| grants.env.clone().into_iter().collect()).unwrap_or_default();
        let configured = compiled.with_limits(admission.limits.clone()).with_env(env);
        let bound = match Bound::bind(self.tenants.runtime(), configured, plugin.spec.world) {
            Some(Ok(bound)) => bound,
            Some(Err(error @ LoadError::ImportNotGranted { .. })) => {
                return Err(refused(reason::IMPORT_NOT_GRANTED, error.to_string()));
            }
            Some(Err(error @ LoadError::WrongWorld { .. })) => {
                return Err(refused(reason::WORLD_MISMATCH, error.to_string()));
            }
            Some(Err(error)) => return Err(refused(reason::COMPILE_FAILED, error.to_string())),
            None => return Err(unserved(plugin.spec.world)),
        };
        let wanted = format!("{}@", plugin.spec.world);
        let world = interfaces.worlds().into_iter().find(|world| world.starts_with(&wanted)).unwrap_or(wanted);
        let previous = self.tenants.digest(&namespace, &name);
        self.tenants.insert(&namespace, &name, Loaded { digest: digest.clone(), bound });
        if previous.as_deref() != Some(digest.as_str()) {
            tracing::info!(namespace, name, %digest, %revision, "loaded plugin");
            let note = format!("loaded {world} component {digest} from {revision}");
            context.publish(plugin, false, "NewDigest", note).await;
        }
        status.digest = Some(digest.clone());
        status.revision = Some(revision.clone());
        status.world = Some(world.clone());
        status.imports = Some(interfaces.imports);
        status.size = i64::try_from(wasm.len()).ok();
        status.compile_time = Some(format_duration(compile_time));
        status.effective_limits = Some(admission.effective);
        Ok(Ready::new(
            reason::LOADED,
            format!("serving {world} component {digest} (admitted by PluginPolicy '{}')", admission.policy),
        ))
    }

    async fn finalize(&self, plugin: &Plugin, _: &Lifecycle<Self>) {
        self.tenants.remove(&plugin.namespace().unwrap_or_default(), &plugin.name_any());
    }

    fn progress_message(&self, _: &Plugin) -> String {
        "loading component".into()
    }
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
