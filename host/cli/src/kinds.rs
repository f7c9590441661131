//! The GitOps kinds the inspecting verbs (`stats`, `events`) know, in flux's order, weir's own
//! after Flux's; kinds a cluster does not serve (yet) simply count nothing.

use kube::discovery::ApiResource;

/// One kind: its name, group, served version and plural.
pub struct GitOpsKind {
    pub kind: &'static str,
    group: &'static str,
    version: &'static str,
    plural: &'static str,
}

impl GitOpsKind {
    pub fn resource(&self) -> ApiResource {
        ApiResource {
            group: self.group.into(),
            version: self.version.into(),
            api_version: format!("{}/{}", self.group, self.version),
            kind: self.kind.into(),
            plural: self.plural.into(),
        }
    }

    pub fn cluster_scoped(&self) -> bool {
        self.kind == "ClusterPlugin"
    }
}

const fn kind(kind: &'static str, group: &'static str, version: &'static str, plural: &'static str) -> GitOpsKind {
    GitOpsKind { kind, group, version, plural }
}

pub const GITOPS_KINDS: &[GitOpsKind] = &[
    kind("GitRepository", "source.toolkit.fluxcd.io", "v1", "gitrepositories"),
    kind("OCIRepository", "source.toolkit.fluxcd.io", "v1", "ocirepositories"),
    kind("HelmRepository", "source.toolkit.fluxcd.io", "v1", "helmrepositories"),
    kind("HelmChart", "source.toolkit.fluxcd.io", "v1", "helmcharts"),
    kind("Bucket", "source.toolkit.fluxcd.io", "v1", "buckets"),
    kind("Kustomization", "kustomize.toolkit.fluxcd.io", "v1", "kustomizations"),
    kind("HelmRelease", "helm.toolkit.fluxcd.io", "v2", "helmreleases"),
    kind("Alert", "notification.toolkit.fluxcd.io", "v1beta3", "alerts"),
    kind("Provider", "notification.toolkit.fluxcd.io", "v1beta3", "providers"),
    kind("Receiver", "notification.toolkit.fluxcd.io", "v1", "receivers"),
    kind("ImageUpdateAutomation", "image.toolkit.fluxcd.io", "v1", "imageupdateautomations"),
    kind("ImagePolicy", "image.toolkit.fluxcd.io", "v1", "imagepolicies"),
    kind("ImageRepository", "image.toolkit.fluxcd.io", "v1", "imagerepositories"),
    kind("Plugin", "plugins.weir.dev", "v1alpha1", "plugins"),
    kind("ClusterPlugin", "plugins.weir.dev", "v1alpha1", "clusterplugins"),
];

/// The GitOps kind named `kind` exactly.
pub fn gitops_kind(kind: &str) -> Option<&'static GitOpsKind> {
    GITOPS_KINDS.iter().find(|known| known.kind == kind)
}
