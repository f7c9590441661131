//! Small manifests tests apply, as YAML text.

/// A ConfigMap manifest.
pub fn config_map(namespace: &str, name: &str, data: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {namespace}\ndata:\n  value: \"{data}\"\n"
    )
}
