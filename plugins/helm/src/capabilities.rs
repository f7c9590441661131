//! `.Capabilities` as `helm template` sees it: no cluster, so Helm 3.18's
//! defaults (Kubernetes v1.33.0 and its built-in API versions) plus
//! `--kube-version` and `--api-versions`.

use std::rc::Rc;

use weir_gotemplate::{Map, Object, Value};
use weir_semver::{Constraints, Version};

/// The Kubernetes version `helm template` assumes (Helm 3.18 is built against client-go v0.33).
pub const DEFAULT_KUBE_VERSION: &str = "v1.33.0";

/// The API versions Helm 3.18 reports without a cluster, in its order.
pub const DEFAULT_API_VERSIONS: [&str; 57] = [
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// The Helm build `.Capabilities.HelmVersion` describes.
const HELM_VERSION: &str = "v3.18.0";
const HELM_GIT_COMMIT: &str = "cc58e3f5a3aa615c6a86275e6f4444b5fdd3cc4e";
const HELM_GIT_TREE_STATE: &str = "clean";
const HELM_GO_VERSION: &str = "go1.24.3";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapabilitiesError {
    #[error("invalid kube version '{0}': Invalid Semantic Version")]
    InvalidKubeVersion(String),
}

/// `.Capabilities` (`*chartutil.Capabilities`).
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    pub api_versions: VersionSet,
}

impl Capabilities {
    /// `kube_version` as `--kube-version` takes it (empty: Helm's default);
    /// `extra_api_versions` are appended to Helm's defaults, as `--api-versions` does.
    pub fn new(kube_version: &str, extra_api_versions: &[String]) -> Result<Capabilities, CapabilitiesError> {
        let kube_version = if kube_version.is_empty() { DEFAULT_KUBE_VERSION } else { kube_version };
        let mut versions: Vec<String> = DEFAULT_API_VERSIONS.iter().map(|v| (*v).to_owned()).collect();
        versions.extend(extra_api_versions.iter().cloned());
        Ok(Capabilities {
            kube_version: KubeVersion::parse(kube_version)?,
            api_versions: VersionSet(Rc::new(versions)),
        })
    }
}

/// Helm's `IsCompatibleRange`: whether `version` satisfies the Masterminds
/// range `constraint`; an unparsable range or version never does.
pub fn is_compatible(constraint: &str, version: &str) -> bool {
    let Ok(constraints) = Constraints::parse(constraint) else { return false };
    let Ok(version) = Version::parse_lenient(version) else { return false };
    constraints.matches(&version)
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }

    fn member(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        Some(Ok(match name {
            "KubeVersion" => Value::Object(Rc::new(self.kube_version.clone())),
            "APIVersions" => Value::Object(Rc::new(self.api_versions.clone())),
            "HelmVersion" => Value::Object(Rc::new(HelmVersion)),
            _ => return None,
        }))
    }

    fn display(&self) -> String {
        format!(
            "&{{{{{} {} {}}} {} {}}}",
            self.kube_version.version,
            self.kube_version.major,
            self.kube_version.minor,
            self.api_versions.display(),
            HelmVersion.display()
        )
    }

    fn to_data(&self) -> Value {
        let mut map = Map::new();
        map.insert("KubeVersion".into(), self.kube_version.to_data());
        map.insert("APIVersions".into(), self.api_versions.to_data());
        map.insert("HelmVersion".into(), HelmVersion.to_data());
        Value::map(map)
    }
}

/// `.Capabilities.KubeVersion` (`chartutil.KubeVersion`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeVersion {
    /// `v` and the normalised semantic version: `v1.20.0`.
    pub version: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    /// Helm's `ParseKubeVersion`: any Masterminds version (`1.20`, `v1.21.3-gke.1`).
    pub fn parse(text: &str) -> Result<KubeVersion, CapabilitiesError> {
        let v = Version::parse_lenient(text).map_err(|_| CapabilitiesError::InvalidKubeVersion(text.to_owned()))?;
        Ok(KubeVersion { version: format!("v{v}"), major: v.major().to_string(), minor: v.minor().to_string() })
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "chartutil.KubeVersion"
    }

    fn kind_name(&self) -> &str {
        "struct"
    }

    fn member(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        Some(Ok(Value::from(match name {
            // GitVersion is Helm's deprecated method for the same string.
            "Version" | "GitVersion" | "String" => self.version.as_str(),
            "Major" => self.major.as_str(),
            "Minor" => self.minor.as_str(),
            _ => return None,
        })))
    }

    /// By value (`print`, `quote`): Go's struct form, as `String()` has a pointer receiver.
    fn display(&self) -> String {
        format!("{{{} {} {}}}", self.version, self.major, self.minor)
    }

    /// `{{ .Capabilities.KubeVersion }}`: the field is addressable, so Go calls `String()`.
    fn print(&self) -> String {
        self.version.clone()
    }

    fn to_data(&self) -> Value {
        let mut map = Map::new();
        map.insert("Version".into(), Value::from(self.version.as_str()));
        map.insert("Major".into(), Value::from(self.major.as_str()));
        map.insert("Minor".into(), Value::from(self.minor.as_str()));
        Value::map(map)
    }
}

/// `.Capabilities.APIVersions` (`chartutil.VersionSet`).
#[derive(Debug, Clone)]
pub struct VersionSet(pub Rc<Vec<String>>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }

    fn kind_name(&self) -> &str {
        "slice"
    }

    fn member(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Has" {
            return None;
        }
        Some(match args {
            [Value::String(wanted)] => Ok(Value::Bool(self.0.iter().any(|v| **v == **wanted))),
            [other] => Err(format!("wrong type for value; expected string; got {}", other.type_name())),
            _ => Err(format!("wrong number of args for Has: want 1 got {}", args.len())),
        })
    }

    fn arity(&self, name: &str) -> Option<usize> {
        (name == "Has").then_some(1)
    }

    fn display(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }

    fn to_data(&self) -> Value {
        Value::list(self.0.iter().map(|v| Value::from(v.as_str())).collect())
    }
}

/// `.Capabilities.HelmVersion` (`version.BuildInfo`).
struct HelmVersion;

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }

    fn kind_name(&self) -> &str {
        "struct"
    }

    fn member(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        Some(Ok(Value::from(match name {
            "Version" => HELM_VERSION,
            "GitCommit" => HELM_GIT_COMMIT,
            "GitTreeState" => HELM_GIT_TREE_STATE,
            "GoVersion" => HELM_GO_VERSION,
            _ => return None,
        })))
    }

    fn display(&self) -> String {
        format!("{{{HELM_VERSION} {HELM_GIT_COMMIT} {HELM_GIT_TREE_STATE} {HELM_GO_VERSION}}}")
    }

    fn to_data(&self) -> Value {
        let mut map = Map::new();
        map.insert("version".into(), Value::from(HELM_VERSION));
        map.insert("git_commit".into(), Value::from(HELM_GIT_COMMIT));
        map.insert("git_tree_state".into(), Value::from(HELM_GIT_TREE_STATE));
        map.insert("go_version".into(), Value::from(HELM_GO_VERSION));
        Value::map(map)
    }
}
