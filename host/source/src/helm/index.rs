//! A chart repository's `index.yaml`, and Flux's choice of a chart version from it.

use std::cmp::Ordering;

use serde_json::Value;
use weir_semver::{Constraints, Version};

use super::HelmError;

/// Flux's limit on an index (`--helm-index-max-size`'s default).
pub const MAX_INDEX_SIZE: usize = 50 * 1024 * 1024;

/// A parsed index: every entry as the repository wrote it (so the stored artifact loses
/// nothing), each chart's versions newest first, as Helm's `SortEntries` leaves them.
#[derive(Debug, Clone)]
pub struct ChartIndex {
    document: Value,
}

/// One chart version of an index: what choosing and downloading it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    pub name: String,
    pub version: String,
    /// Where the archive is; relative URLs are resolved against the repository's.
    pub urls: Vec<String>,
    /// The archive's SHA-256, hex, when the index gives it.
    pub digest: Option<String>,
    created: Option<String>,
}

impl ChartIndex {
    /// Reads an index (YAML, or JSON as Flux stores it), as source-controller's
    /// `IndexFromBytes`: empty is an error, `apiVersion` is required, entries without a name or
    /// version are dropped, and versions are sorted newest first.
    pub fn parse(bytes: &[u8]) -> Result<ChartIndex, HelmError> {
        if bytes.is_empty() {
            return Err(HelmError::Index("empty index.yaml file".into()));
        }
        let text = std::str::from_utf8(bytes).map_err(|error| HelmError::Index(format!("not UTF-8: {error}")))?;
        let mut document = weir_go_yaml::parse_stream(text)
            .map_err(|error| HelmError::Index(error.to_string()))?
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        let Value::Object(fields) = &mut document else {
            return Err(HelmError::Index("the index is not a YAML map".into()));
        };
        if fields.get("apiVersion").and_then(Value::as_str).unwrap_or_default().is_empty() {
            return Err(HelmError::Index("no API version specified".into()));
        }
        if let Some(Value::Object(entries)) = fields.get_mut("entries") {
            for versions in entries.values_mut() {
                if let Value::Array(versions) = versions {
                    versions.retain(|version| entry(version).is_some());
                    versions.sort_by(newest_first);
                }
            }
        }
        Ok(ChartIndex { document })
    }

    /// The index as JSON, the form Flux keeps in the artifact.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.document).unwrap_or_default()
    }

    /// The versions of `chart`, newest first.
    pub fn versions(&self, chart: &str) -> Option<Vec<IndexEntry>> {
        let versions = self.document.get("entries")?.get(chart)?.as_array()?;
        Some(versions.iter().filter_map(entry).collect())
    }

    /// The version `range` picks, as Flux's `GetChartVersion`: an exact version string first,
    /// else the highest version (fluxcd/pkg's strict parse, one leading `v` allowed) the
    /// Masterminds range admits — `*` or empty means the latest stable one; equal versions are
    /// told apart by `created`.
    pub fn select(&self, chart: &str, range: &str) -> Result<IndexEntry, HelmError> {
        let versions = self.versions(chart).ok_or_else(|| HelmError::NoChartVersion("no chart name found".into()))?;
        if versions.is_empty() {
            return Err(HelmError::NoChartVersion("no chart version found".into()));
        }
        if let Some(exact) = versions.iter().find(|entry| !range.is_empty() && entry.version == range) {
            return Ok(exact.clone());
        }
        let wanted = if range.is_empty() { "*" } else { range };
        let constraints = Constraints::parse(wanted)
            .map_err(|error| HelmError::NoChartVersion(format!("improper constraint: {wanted}: {error}")))?;
        versions
            .into_iter()
            .filter_map(|entry| Version::parse_tag(&entry.version).ok().map(|version| (version, entry)))
            .filter(|(version, _)| constraints.matches(version))
            .max_by(|(a, a_entry), (b, b_entry)| a.cmp(b).then_with(|| a_entry.created.cmp(&b_entry.created)))
            .map(|(_, entry)| entry)
            .ok_or_else(|| {
                HelmError::NoChartVersion(format!("no '{chart}' chart with version matching '{range}' found"))
            })
    }
}

fn entry(value: &Value) -> Option<IndexEntry> {
    let text = |key: &str| value.get(key).and_then(Value::as_str).filter(|text| !text.is_empty()).map(str::to_owned);
    Some(IndexEntry {
        name: text("name")?,
        version: text("version")?,
        urls: value
            .get("urls")
            .and_then(Value::as_array)
            .map(|urls| urls.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default(),
        digest: text("digest"),
        created: text("created"),
    })
}

/// Helm's order: by semantic version, newest first; what does not parse goes last.
fn newest_first(a: &Value, b: &Value) -> Ordering {
    let version =
        |value: &Value| value.get("version").and_then(Value::as_str).and_then(|v| Version::parse_lenient(v).ok());
    match (version(a), version(b)) {
        (Some(a), Some(b)) => b.cmp(&a),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"apiVersion: v1
entries:
  podinfo:
  - name: podinfo
    version: 6.1.0
    urls: [podinfo-6.1.0.tgz]
    digest: aa
  - name: podinfo
    version: 6.2.0-rc.1
    urls: [podinfo-6.2.0-rc.1.tgz]
  - name: podinfo
    version: 6.0.3
    urls: [https://elsewhere.example/podinfo-6.0.3.tgz]
  - name: podinfo
    version: v5.9.0
    urls: [podinfo-5.9.0.tgz]
  - name: podinfo
    urls: [broken.tgz]
  empty: []
generated: "2026-12-01T00:00:00Z"
"#;

    fn index() -> ChartIndex {
        ChartIndex::parse(INDEX.as_bytes()).unwrap()
    }

    #[test]
    fn the_latest_stable_version_by_default() {
        assert_eq!(index().select("podinfo", "*").unwrap().version, "6.1.0");
        assert_eq!(index().select("podinfo", "").unwrap().version, "6.1.0");
    }

    #[test]
    fn ranges_pick_the_highest_match_and_may_admit_prereleases() {
        assert_eq!(index().select("podinfo", "6.0.x").unwrap().version, "6.0.3");
        assert_eq!(index().select("podinfo", ">=6.2.0-0").unwrap().version, "6.2.0-rc.1");
        assert_eq!(index().select("podinfo", "<6").unwrap().version, "v5.9.0", "a leading v parses");
    }

    #[test]
    fn an_exact_version_string_wins_before_ranges() {
        assert_eq!(index().select("podinfo", "v5.9.0").unwrap().urls, ["podinfo-5.9.0.tgz"]);
    }

    #[test]
    fn misses_say_what_was_asked_for() {
        let message = |chart: &str, range: &str| index().select(chart, range).unwrap_err().to_string();
        assert_eq!(message("podinfo", "7.x"), "no 'podinfo' chart with version matching '7.x' found");
        assert_eq!(message("nginx", "*"), "no chart name found");
        assert_eq!(message("empty", "*"), "no chart version found");
        assert!(message("podinfo", ">=>1").starts_with("improper constraint"), "{}", message("podinfo", ">=>1"));
    }

    #[test]
    fn versions_are_sorted_newest_first_and_nameless_entries_dropped() {
        let versions: Vec<String> = index().versions("podinfo").unwrap().into_iter().map(|e| e.version).collect();
        assert_eq!(versions, ["6.2.0-rc.1", "6.1.0", "6.0.3", "v5.9.0"]);
    }

    #[test]
    fn an_index_needs_an_api_version_and_content() {
        assert_eq!(ChartIndex::parse(b"").unwrap_err().to_string(), "failed to load index: empty index.yaml file");
        let missing = ChartIndex::parse(b"entries: {}\n").unwrap_err().to_string();
        assert_eq!(missing, "failed to load index: no API version specified");
    }

    #[test]
    fn the_stored_json_reads_back_the_same() {
        let again = ChartIndex::parse(&index().to_json()).unwrap();
        assert_eq!(again.versions("podinfo"), index().versions("podinfo"));
    }
}
