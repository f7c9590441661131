//! A release's values as helm-controller composes them: every `valuesFrom` entry in order
//! (a YAML map merged at the root, or one value put at `targetPath` in `--set` syntax), then
//! `spec.values` over them. Numbers from YAML and from `spec.values` are Go `float64`s, as the
//! Go JSON and YAML decoders give them; `--set` paths type their values as Helm does.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::ResourceExt;
use kube::api::Api;
use serde_json::{Map, Value};
use sha2::Digest as _;
use weir_api::helm::{HelmRelease, ValuesKind, ValuesReference};
use weir_helm::strvals;
use weir_helm::user_values;

/// The composed values: for the chart-renderer plugin, and as the release records them.
pub(super) struct Values {
    /// The plugin's transport JSON (floats keep a fraction).
    pub transport: String,
    /// The release's `config`, as Go's JSON encoder writes it.
    pub config: Map<String, Value>,
    /// `sha256:<hex>` of the config's canonical JSON (Flux's `lastAttemptedConfigDigest`).
    pub digest: String,
}

/// The data `valuesFrom` points to, read from the cluster: per entry, the key's text, or `None`
/// for an optional entry whose object or key is missing.
pub(super) async fn read_sources(release: &HelmRelease, client: &kube::Client) -> Result<Vec<Option<String>>, String> {
    let namespace = release.namespace().unwrap_or_default();
    let mut found = Vec::new();
    for reference in release.spec.values_from.iter().flatten() {
        let key = reference.values_key.as_deref().unwrap_or("values.yaml");
        let described = format!("{:?} '{namespace}/{}'", reference.kind, reference.name);
        let data: Option<BTreeMap<String, String>> = match reference.kind {
            ValuesKind::ConfigMap => Api::<ConfigMap>::namespaced(client.clone(), &namespace)
                .get_opt(&reference.name)
                .await
                .map_err(|error| format!("could not read {described}: {error}"))?
                .map(|map| map.data.unwrap_or_default().into_iter().collect()),
            ValuesKind::Secret => Api::<Secret>::namespaced(client.clone(), &namespace)
                .get_opt(&reference.name)
                .await
                .map_err(|error| format!("could not read {described}: {error}"))?
                .map(|secret| {
                    let data = secret.data.unwrap_or_default().into_iter();
                    let text = data.map(|(key, value)| (key, String::from_utf8_lossy(&value.0).into_owned()));
                    text.chain(secret.string_data.unwrap_or_default()).collect()
                }),
        };
        let optional = reference.optional == Some(true);
        match data {
            None if optional => found.push(None),
            None => return Err(format!("could not find {described}")),
            Some(data) => match data.get(key) {
                Some(text) => found.push(Some(text.clone())),
                None if optional => found.push(None),
                None => return Err(format!("missing key '{key}' in {described}")),
            },
        }
    }
    Ok(found)
}

/// Composes `sources` (as [`read_sources`] gave them) and `spec.values`.
pub(super) fn compose(release: &HelmRelease, sources: &[Option<String>]) -> Result<Values, String> {
    let namespace = release.namespace().unwrap_or_default();
    let mut merged = weir_gotemplate::Map::new();
    let references: Vec<&ValuesReference> = release.spec.values_from.iter().flatten().collect();
    for (reference, text) in references.iter().zip(sources) {
        let Some(text) = text else { continue };
        let key = reference.values_key.as_deref().unwrap_or("values.yaml");
        let described = format!("{:?} '{namespace}/{}'", reference.kind, reference.name);
        match reference.target_path.as_deref().filter(|path| !path.is_empty()) {
            Some(path) => {
                // Trailing newlines of a single value are not part of it.
                let line = format!("{path}={}", text.trim_end_matches('\n'));
                let parsed = if reference.literal == Some(true) {
                    strvals::parse_set_literal(&line, &mut merged)
                } else {
                    strvals::parse_set(&line, &mut merged)
                };
                parsed.map_err(|error| {
                    format!("unable to merge value from key '{key}' in {described} into target path '{path}': {error}")
                })?;
            }
            None => {
                let document = weir_go_yaml::parse_stream(text)
                    .map_err(|error| format!("unable to read values from key '{key}' in {described}: {error}"))?;
                match document.into_iter().next() {
                    None | Some(Value::Null) => {}
                    Some(Value::Object(map)) => user_values::merge_maps(&mut merged, go_map(&map)),
                    Some(_) => return Err(format!("unable to read values from key '{key}' in {described}: not a map")),
                }
            }
        }
    }
    if let Some(values) = &release.spec.values {
        user_values::merge_maps(&mut merged, go_map(values));
    }
    Ok(finish(merged))
}

fn finish(tree: weir_gotemplate::Map) -> Values {
    let transport = user_values::to_transport_json(&tree);
    let config = match serde_json::from_str::<Value>(&transport) {
        Ok(Value::Object(map)) => map.into_iter().map(|(key, value)| (key, go_json(value))).collect(),
        _ => Map::new(),
    };
    let digest = digest(&config);
    Values { transport, config, digest }
}

/// Helm's `--reuse-values` (Flux's `upgrade.preserveValues`): `values` over the values of
/// `current`, the release being upgraded, which the new revision records; rendered over the
/// current chart's defaults coalesced with them, which stand in for the new chart's own.
pub(super) fn reuse(values: &Values, current: &weir_helm_storage::Release) -> Values {
    let mut config = go_map(&current.config);
    user_values::merge_maps(&mut config, from_transport(&values.transport));
    let mut rendered = current.chart.as_ref().and_then(|chart| chart.values.as_ref()).map(go_map).unwrap_or_default();
    user_values::merge_maps(&mut rendered, config.clone());
    Values { transport: user_values::to_transport_json(&rendered), ..finish(config) }
}

/// `sha256:<hex>` of values as Go's `json.Marshal` writes them (keys sorted).
pub(super) fn digest(config: &Map<String, Value>) -> String {
    let canonical = serde_json::to_string(&sorted(&Value::Object(config.clone()))).unwrap_or_default();
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(canonical.as_bytes())))
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<&String, Value> = map.iter().map(|(key, value)| (key, sorted(value))).collect();
            Value::Object(ordered.into_iter().map(|(key, value)| (key.clone(), value)).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Transport JSON read back into Helm's values: numbers with a fraction or an exponent are
/// `float64`s, others `int64`s.
fn from_transport(transport: &str) -> weir_gotemplate::Map {
    fn typed(json: &Value) -> weir_gotemplate::Value {
        match json {
            Value::Number(number) if number.is_i64() => {
                weir_gotemplate::Value::Int(number.as_i64().unwrap_or_default())
            }
            Value::Array(items) => weir_gotemplate::Value::list(items.iter().map(typed).collect()),
            Value::Object(map) => weir_gotemplate::Value::map(go_typed(map)),
            other => strvals::json_to_value(other),
        }
    }
    fn go_typed(map: &Map<String, Value>) -> weir_gotemplate::Map {
        map.iter().map(|(key, value)| (key.clone(), typed(value))).collect()
    }
    match serde_json::from_str::<Value>(transport) {
        Ok(Value::Object(map)) => go_typed(&map),
        _ => weir_gotemplate::Map::new(),
    }
}

fn go_map(map: &Map<String, Value>) -> weir_gotemplate::Map {
    map.iter().map(|(key, value)| (key.clone(), strvals::json_to_value(value))).collect()
}

/// A float with no fraction is written as Go writes a `float64` (`3`, not `3.0`).
fn go_json(value: Value) -> Value {
    match value {
        Value::Number(number) if number.is_f64() => match number.as_f64() {
            Some(float) if float.fract() == 0.0 && float.abs() < 1e21 => Value::from(float as i64),
            _ => Value::Number(number),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(go_json).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(key, value)| (key, go_json(value))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(yaml: &str) -> HelmRelease {
        let value = weir_go_yaml::parse_stream(yaml).unwrap().remove(0);
        serde_json::from_value(value).unwrap()
    }

    const RELEASE: &str = r#"apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web, namespace: apps}
spec:
  interval: 1m
  chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts}}}
  valuesFrom:
  - {kind: ConfigMap, name: base}
  - {kind: Secret, name: creds, valuesKey: token, targetPath: auth.token}
  - {kind: ConfigMap, name: optional, optional: true}
  - {kind: ConfigMap, name: replicas, valuesKey: n, targetPath: replicaCount}
  values:
    image: {tag: "2.0"}
"#;

    #[test]
    fn values_from_merge_in_order_and_values_win() {
        let sources = [
            Some("replicaCount: 1\nimage: {repository: nginx, tag: \"1.0\"}\n".to_owned()),
            Some("s3cret\n".to_owned()),
            None,
            Some("3".to_owned()),
        ];
        let values = compose(&release(RELEASE), &sources).unwrap();
        let expected = serde_json::json!({
            "replicaCount": 3, "image": {"repository": "nginx", "tag": "2.0"}, "auth": {"token": "s3cret"}
        });
        assert_eq!(Value::Object(values.config.clone()), expected);
        // `--set` paths give int64s, YAML gives float64s: the transport keeps them apart.
        let transport: Value = serde_json::from_str(&values.transport).unwrap();
        assert!(transport["replicaCount"].is_i64(), "{transport}");
        let from_yaml = compose(&release(RELEASE), &[sources[0].clone(), None, None, None]).unwrap();
        let transport: Value = serde_json::from_str(&from_yaml.transport).unwrap();
        assert!(transport["replicaCount"].is_f64(), "{transport}");
    }

    #[test]
    fn the_digest_is_stable_and_follows_the_values() {
        let a = compose(&release(RELEASE), &[Some("a: 1\nb: 2\n".into()), None, None, None]).unwrap();
        let b = compose(&release(RELEASE), &[Some("b: 2\na: 1\n".into()), None, None, None]).unwrap();
        let c = compose(&release(RELEASE), &[Some("a: 1\nb: 3\n".into()), None, None, None]).unwrap();
        assert_eq!(a.digest, b.digest);
        assert_ne!(a.digest, c.digest);
        assert!(a.digest.starts_with("sha256:") && a.digest.len() == 71);
    }

    #[test]
    fn reused_values_lie_under_the_new_ones() {
        let new = compose(&release(RELEASE), &[Some("a: {b: 2}\n".into()), None, None, None]).unwrap();
        let chart = weir_helm_storage::Chart {
            values: serde_json::json!({"default": "old-chart", "old": false}).as_object().cloned(),
            ..Default::default()
        };
        let current = weir_helm_storage::Release {
            config: serde_json::json!({"a": {"b": 1, "c": 1}, "old": true}).as_object().unwrap().clone(),
            chart: Some(chart),
            ..Default::default()
        };
        let reused = reuse(&new, &current);
        let expected = serde_json::json!({"a": {"b": 2, "c": 1}, "old": true, "image": {"tag": "2.0"}});
        assert_eq!(Value::Object(reused.config.clone()), expected);
        assert_eq!(reused.digest, digest(&reused.config));
        let transport: Value = serde_json::from_str(&reused.transport).unwrap();
        assert_eq!((&transport["default"], &transport["old"]), (&Value::from("old-chart"), &Value::from(true)));
    }

    #[test]
    fn bad_yaml_names_the_object_and_key() {
        let error = compose(&release(RELEASE), &[Some("- not\n- a map\n".into()), None, None, None]).err().unwrap();
        assert_eq!(error, "unable to read values from key 'values.yaml' in ConfigMap 'apps/base': not a map");
    }
}
