//! Admission of a Plugin by the PluginPolicies that select its namespace: the registries it
//! may come from, the worlds it may implement, the ceiling of its limits and grants, and the
//! signers one of whom must have signed it. A namespace no policy selects loads no plugins;
//! a Plugin is admitted by the first policy (by name) that allows all it asks, and refused
//! with every selecting policy's reason otherwise. A tenant writes Plugins, never policies, so
//! it cannot raise its own ceiling.

use std::collections::BTreeMap;

use kube::ResourceExt;
use weir_api::plugins::{PluginLimits, PluginPolicy, PluginSpec, PolicySecretReference};
use weir_go_compat::time::{format_duration, parse_duration};
use weir_plugin_host::Limits;

/// What a policy admitted a Plugin with (or a ClusterPlugin, under none).
#[derive(Debug, Clone, PartialEq)]
pub struct Admission {
    /// The admitting policy's name; `None` for a ClusterPlugin.
    pub policy: Option<String>,
    /// The limits every call runs under.
    pub limits: Limits,
    /// The same, as `status.effectiveLimits` shows them.
    pub effective: PluginLimits,
    /// The keys one of which must have signed the component, and the policy asking for them.
    pub signers: Option<(String, PolicySecretReference)>,
}

impl Admission {
    /// A ClusterPlugin's: the operator's owner wrote it, so no policy applies; its limits are
    /// what it asks, its unset limits the operator's defaults.
    pub fn cluster(spec: &PluginSpec) -> Result<Self, String> {
        let (limits, effective) = limits(spec.limits.as_ref(), None)?;
        Ok(Self { policy: None, limits, effective, signers: None })
    }

    /// How it was admitted, for the Ready message.
    pub fn described(&self) -> String {
        match &self.policy {
            Some(policy) => format!("admitted by PluginPolicy '{policy}'"),
            None => "a ClusterPlugin, under no PluginPolicy".into(),
        }
    }
}

/// Where a Plugin's component comes from, as policies judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin<'a> {
    /// `registry/repository` of an OCI source.
    Oci(&'a str),
    ConfigMap,
}

/// Admits the Plugin of `namespace` (labelled `labels`) with `spec`, from `origin`, by one of
/// `policies`.
pub fn admit(
    namespace: &str,
    spec: &PluginSpec,
    origin: Origin<'_>,
    labels: &BTreeMap<String, String>,
    policies: &[PluginPolicy],
) -> Result<Admission, String> {
    let mut selecting: Vec<&PluginPolicy> = policies.iter().filter(|policy| selects(policy, labels)).collect();
    if selecting.is_empty() {
        return Err(format!("no PluginPolicy selects namespace '{namespace}': its Plugins may not be loaded"));
    }
    selecting.sort_by_key(|policy| policy.name_any());
    let mut refusals = Vec::new();
    for policy in selecting {
        match admit_by(spec, origin, policy) {
            Ok(admission) => return Ok(admission),
            Err(reason) => refusals.push(format!("PluginPolicy '{}': {reason}", policy.name_any())),
        }
    }
    Err(refusals.join("; "))
}

fn selects(policy: &PluginPolicy, labels: &BTreeMap<String, String>) -> bool {
    use kube::core::SelectorExt as _;
    let Some(selector) = policy.spec.namespace_selector.clone() else { return true };
    // A selector that does not parse selects nothing, rather than everything.
    kube::core::Selector::try_from(selector).is_ok_and(|selector| selector.matches(labels))
}

fn admit_by(plugin: &PluginSpec, origin: Origin<'_>, policy: &PluginPolicy) -> Result<Admission, String> {
    let spec = &policy.spec;
    if !spec.worlds.is_empty() && !spec.worlds.contains(&plugin.world) {
        return Err(format!("world {} is not allowed", plugin.world));
    }
    match origin {
        Origin::Oci(repository) if !spec.registries.iter().any(|prefix| under(repository, prefix)) => {
            return Err(format!("repository '{repository}' is not under an allowed registry"));
        }
        Origin::ConfigMap if spec.allow_config_maps != Some(true) => {
            return Err("ConfigMap sources are not allowed".into());
        }
        _ => {}
    }
    let grants = plugin.grants.clone().unwrap_or_default();
    let allowed = spec.allowed_grants.clone().unwrap_or_default();
    if let Some(host) = grants.outbound_hosts.iter().find(|host| !allowed.outbound_hosts.contains(host)) {
        return Err(format!("spec.grants.outboundHosts: '{host}' is not allowed"));
    }
    if let Some(key) = grants.env.keys().find(|key| !allowed.env.contains(key)) {
        return Err(format!("spec.grants.env: '{key}' is not allowed"));
    }
    let (limits, effective) = limits(plugin.limits.as_ref(), spec.max_limits.as_ref())?;
    let signers = spec.signers.clone().map(|signers| (policy.name_any(), signers));
    Ok(Admission { policy: Some(policy.name_any()), limits, effective, signers })
}

/// Whether `repository` (`registry/path`) lies under `prefix`, whole path segments only.
fn under(repository: &str, prefix: &str) -> bool {
    let prefix = prefix.strip_prefix("oci://").unwrap_or(prefix).trim_end_matches('/');
    !prefix.is_empty() && repository.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The limits of `requested` below `ceiling`: each unset field the ceiling's, else the
/// operator's default; a field above the ceiling refuses the Plugin.
fn limits(requested: Option<&PluginLimits>, ceiling: Option<&PluginLimits>) -> Result<(Limits, PluginLimits), String> {
    let requested = requested.cloned().unwrap_or_default();
    let ceiling = ceiling.cloned().unwrap_or_default();
    let defaults = Limits::default();
    let memory = bounded("memory", &requested.memory, &ceiling.memory, quantity)?;
    let output = bounded("outputSize", &requested.output_size, &ceiling.output_size, quantity)?;
    let timeout = bounded("timeout", &requested.timeout, &ceiling.timeout, parse_duration)?;
    let limits = Limits {
        memory_bytes: memory.map_or(defaults.memory_bytes, |bytes| usize::try_from(bytes).unwrap_or(usize::MAX)),
        output_bytes: output.map_or(defaults.output_bytes, |bytes| usize::try_from(bytes).unwrap_or(usize::MAX)),
        timeout: timeout.unwrap_or(defaults.timeout),
        ..defaults
    };
    let effective = PluginLimits {
        memory: Some(format_bytes(limits.memory_bytes as u64)),
        timeout: Some(format_duration(limits.timeout)),
        output_size: Some(format_bytes(limits.output_bytes as u64)),
    };
    Ok((limits, effective))
}

/// `requested` (or the ceiling when unset) parsed, refused above the ceiling.
fn bounded<T: PartialOrd + Copy, E: std::fmt::Display>(
    field: &str,
    requested: &Option<String>,
    ceiling: &Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, String> {
    let parse = |source: &str, text: &str| parse(text).map_err(|error| format!("{source}.{field} '{text}': {error}"));
    let ceiling_value = ceiling.as_deref().map(|text| parse("spec.maxLimits", text)).transpose()?;
    let Some(text) = requested.as_deref() else { return Ok(ceiling_value) };
    let value = parse("spec.limits", text)?;
    if let (Some(ceiling_value), Some(ceiling)) = (ceiling_value, ceiling)
        && value > ceiling_value
    {
        return Err(format!("spec.limits.{field} {text} exceeds the ceiling {ceiling}"));
    }
    Ok(Some(value))
}

/// A Kubernetes quantity of bytes (`64Mi`, `1G`, `1048576`).
pub fn quantity(text: &str) -> Result<u64, String> {
    const SUFFIXES: [(&str, u64); 8] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
    ];
    let text = text.trim();
    let (number, unit) = SUFFIXES
        .iter()
        .find_map(|(suffix, unit)| text.strip_suffix(suffix).map(|number| (number, *unit)))
        .unwrap_or((text, 1));
    let number: u64 = number.parse().map_err(|_| "not a quantity of bytes (e.g. 64Mi)".to_owned())?;
    number.checked_mul(unit).ok_or_else(|| "too large".to_owned())
}

/// Bytes as the largest binary unit that divides them (`64Mi`).
fn format_bytes(bytes: u64) -> String {
    for (suffix, shift) in [("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10)] {
        if bytes != 0 && bytes % (1 << shift) == 0 {
            return format!("{}{suffix}", bytes >> shift);
        }
    }
    bytes.to_string()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use weir_api::plugins::{AllowedGrants, PluginGrants, PluginPolicySpec};

    fn plugin(limits: Option<PluginLimits>, grants: Option<PluginGrants>) -> PluginSpec {
        PluginSpec { limits, grants, ..Default::default() }
    }

    fn policy(name: &str, tenant: Option<&str>, spec: PluginPolicySpec) -> PluginPolicy {
        let selector = tenant.map(|tenant| k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector {
            match_labels: Some([("tenant".to_owned(), tenant.to_owned())].into()),
            ..Default::default()
        });
        PluginPolicy::new(name, PluginPolicySpec { namespace_selector: selector, ..spec })
    }

    fn labels(tenant: &str) -> BTreeMap<String, String> {
        [("tenant".to_owned(), tenant.to_owned())].into()
    }

    fn registries(entries: &[&str]) -> PluginPolicySpec {
        PluginPolicySpec { registries: entries.iter().map(|entry| entry.to_string()).collect(), ..Default::default() }
    }

    #[test]
    fn a_namespace_no_policy_selects_loads_nothing() {
        let policies = [policy("b", Some("b"), registries(&["r.io/b"]))];
        let refused =
            admit("team-a", &plugin(None, None), Origin::Oci("r.io/b/x"), &labels("a"), &policies).unwrap_err();
        assert!(refused.contains("no PluginPolicy selects namespace 'team-a'"), "{refused}");
    }

    #[test]
    fn registries_match_whole_path_segments() {
        assert!(under("r.io/team-a/render", "oci://r.io/team-a/"));
        assert!(under("r.io/team-a", "r.io/team-a"));
        assert!(!under("r.io/team-ab/render", "r.io/team-a"));
        assert!(!under("r.io/team-a/render", ""));
        let policies = [policy("a", Some("a"), registries(&["r.io/team-a"]))];
        let refused = admit("team-a", &plugin(None, None), Origin::Oci("evil.io/team-a/x"), &labels("a"), &policies);
        assert_eq!(
            refused.unwrap_err(),
            "PluginPolicy 'a': repository 'evil.io/team-a/x' is not under an allowed registry"
        );
    }

    #[test]
    fn limits_above_the_ceiling_are_refused_and_unset_ones_get_it() {
        let ceiling = PluginLimits { memory: Some("64Mi".into()), timeout: Some("5s".into()), output_size: None };
        let spec = PluginPolicySpec { max_limits: Some(ceiling), ..registries(&["r.io"]) };
        let policies = [policy("a", None, spec)];
        let asked = PluginLimits { memory: Some("128Mi".into()), ..Default::default() };
        let refused =
            admit("team-a", &plugin(Some(asked), None), Origin::Oci("r.io/x"), &labels("a"), &policies).unwrap_err();
        assert_eq!(refused, "PluginPolicy 'a': spec.limits.memory 128Mi exceeds the ceiling 64Mi");
        let asked = PluginLimits { memory: Some("32Mi".into()), ..Default::default() };
        let admitted =
            admit("team-a", &plugin(Some(asked), None), Origin::Oci("r.io/x"), &labels("a"), &policies).unwrap();
        assert_eq!((admitted.limits.memory_bytes, admitted.limits.timeout), (32 << 20, Duration::from_secs(5)));
        assert_eq!(admitted.effective.output_size.as_deref(), Some("64Ki"));
    }

    #[test]
    fn grants_must_be_allowed_and_another_policy_may_allow_them() {
        let grants = PluginGrants { env: [("MODE".to_owned(), "prod".to_owned())].into(), ..Default::default() };
        let strict = policy("a-strict", None, registries(&["r.io"]));
        let allowed = AllowedGrants { env: vec!["MODE".into()], ..Default::default() };
        let lenient =
            policy("b-lenient", None, PluginPolicySpec { allowed_grants: Some(allowed), ..registries(&["r.io"]) });
        let refused = admit(
            "team-a",
            &plugin(None, Some(grants.clone())),
            Origin::Oci("r.io/x"),
            &labels("a"),
            &[strict.clone()],
        );
        assert_eq!(refused.unwrap_err(), "PluginPolicy 'a-strict': spec.grants.env: 'MODE' is not allowed");
        let admitted =
            admit("team-a", &plugin(None, Some(grants)), Origin::Oci("r.io/x"), &labels("a"), &[lenient, strict]);
        assert_eq!(admitted.unwrap().policy.as_deref(), Some("b-lenient"));
    }

    #[test]
    fn a_cluster_plugin_keeps_the_limits_it_asks_and_gets_the_defaults_for_the_rest() {
        let asked = PluginLimits { memory: Some("1Gi".into()), ..Default::default() };
        let admitted = Admission::cluster(&plugin(Some(asked), None)).unwrap();
        assert_eq!(admitted.limits.memory_bytes, 1 << 30);
        assert_eq!(admitted.limits.timeout, Limits::default().timeout);
        assert_eq!((admitted.policy, admitted.signers), (None, None));
        let wrong = PluginLimits { timeout: Some("soon".into()), ..Default::default() };
        assert!(Admission::cluster(&plugin(Some(wrong), None)).unwrap_err().starts_with("spec.limits.timeout 'soon'"));
    }

    #[test]
    fn quantities_parse_as_kubernetes_writes_them() {
        assert_eq!(quantity("64Mi"), Ok(64 << 20));
        assert_eq!(quantity("1G"), Ok(1_000_000_000));
        assert_eq!(quantity("4096"), Ok(4096));
        assert!(quantity("lots").is_err());
        assert_eq!(format_bytes(256 << 20), "256Mi");
    }
}
