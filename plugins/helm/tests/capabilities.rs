//! `.Capabilities` and `kubeVersion` checks as `helm template` 3.18 shows them.

use weir_gotemplate::{Object, Value};
use weir_helm::capabilities::{Capabilities, DEFAULT_API_VERSIONS, is_compatible};

fn get(object: &dyn Object, name: &str, args: &[Value]) -> Value {
    object.member(name, args).unwrap().unwrap()
}

fn text(value: Value) -> String {
    match value {
        Value::Object(o) => o.display(),
        other => other.to_string(),
    }
}

#[test]
fn defaults_are_kubernetes_1_33_and_helms_api_list() {
    let caps = Capabilities::new("", &[]).unwrap();
    let kube = get(&caps, "KubeVersion", &[]);
    let Value::Object(kube) = kube else { panic!() };
    assert_eq!(kube.print(), "v1.33.0");
    assert_eq!(kube.display(), "{v1.33.0 1 33}");
    assert_eq!(text(get(kube.as_ref(), "Major", &[])), "1");
    assert_eq!(text(get(kube.as_ref(), "Minor", &[])), "33");
    assert_eq!(text(get(kube.as_ref(), "GitVersion", &[])), "v1.33.0");
    assert_eq!(DEFAULT_API_VERSIONS.len(), 57);
    let Value::Object(apis) = get(&caps, "APIVersions", &[]) else { panic!() };
    assert_eq!(text(get(apis.as_ref(), "Has", &["apps/v1".into()])), "true");
    // Helm's list has group/versions only, not kinds.
    assert_eq!(text(get(apis.as_ref(), "Has", &["apps/v1/Deployment".into()])), "false");
    assert_eq!(text(get(apis.as_ref(), "Has", &["v1".into()])), "true");
    let Value::Object(helm) = get(&caps, "HelmVersion", &[]) else { panic!() };
    assert_eq!(helm.display(), "{v3.18.0 cc58e3f5a3aa615c6a86275e6f4444b5fdd3cc4e clean go1.24.3}");
    assert_eq!(caps.type_name(), "*chartutil.Capabilities");
    assert!(caps.display().starts_with("&{{v1.33.0 1 33} [v1 admissionregistration.k8s.io/v1 "));
}

#[test]
fn kube_version_flag_is_normalised() {
    let shown = |flag: &str| {
        let caps = Capabilities::new(flag, &[]).map_err(|e| e.to_string())?;
        Ok::<_, String>(format!(
            "{} {}.{}",
            caps.kube_version.version, caps.kube_version.major, caps.kube_version.minor
        ))
    };
    assert_eq!(shown("1.20").unwrap(), "v1.20.0 1.20");
    assert_eq!(shown("v1.21.3-gke.1+abc").unwrap(), "v1.21.3-gke.1+abc 1.21");
    assert_eq!(shown("1").unwrap(), "v1.0.0 1.0");
    assert_eq!(shown("abc").unwrap_err(), "invalid kube version 'abc': Invalid Semantic Version");
    assert_eq!(shown("1.2.3.4").unwrap_err(), "invalid kube version '1.2.3.4': Invalid Semantic Version");
    assert_eq!(shown(" 1.2").unwrap_err(), "invalid kube version ' 1.2': Invalid Semantic Version");
}

#[test]
fn api_versions_flag_appends() {
    let caps = Capabilities::new("", &["foo/v1".into(), "bar/v2".into()]).unwrap();
    let Value::List(all) = caps.api_versions.to_data() else { panic!() };
    assert_eq!(all.last().and_then(Value::as_str), Some("bar/v2"));
    assert!(caps.api_versions.member("Has", &["foo/v1".into()]).unwrap().unwrap().is_true());
}

#[test]
fn chart_kube_version_ranges() {
    assert!(is_compatible(">=1.20.0", "v1.33.0"));
    assert!(!is_compatible(">=1.40.0", "v1.33.0"));
    assert!(!is_compatible("foo", "v1.33.0"));
    // Masterminds semantics, as `helm template --kube-version` showed them:
    // a prerelease Kubernetes only satisfies ranges that name a prerelease.
    for (range, prerelease, release) in [
        (">=1.20.0", false, true),
        (">=1.20.0-0", true, true),
        ("~1.21", false, true),
        ("1.21.x", false, true),
        (">1.19 <1.22", false, true),
        (">=1.20.0 || <1.0", false, true),
    ] {
        assert_eq!(is_compatible(range, "v1.21.3-gke.1"), prerelease, "{range}");
        assert_eq!(is_compatible(range, "v1.21.3"), release, "{range}");
    }
}
