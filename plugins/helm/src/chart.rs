//! A loaded chart: Helm's `chart.Chart` and `chart.Metadata` (Chart.yaml), with
//! the metadata validation Helm runs at load time and the `.Chart` object templates see.

use std::collections::BTreeMap;
use std::rc::Rc;

use weir_gotemplate::{Map, Object, Value};

use crate::decode::{scalar_string, unmarshal_error};
use crate::error::ChartError;

/// One file of a chart, named relative to the chart's root with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub data: Vec<u8>,
}

/// A chart and its loaded subcharts (Helm's `chart.Chart`).
#[derive(Debug, Clone)]
pub struct Chart {
    pub metadata: Metadata,
    /// `Chart.lock` (or `requirements.lock` for v1 charts), when present.
    pub lock: Option<Lock>,
    /// Everything under `templates/`: manifests, partials, `NOTES.txt`, tests.
    pub templates: Vec<File>,
    /// Every other file not loaded as something else (what `.Files` sees); this
    /// includes `crds/`, as in Helm.
    pub files: Vec<File>,
    /// The chart's `values.yaml`.
    pub values: Map,
    /// `values.schema.json`, unparsed.
    pub schema: Option<Vec<u8>>,
    /// Subcharts from `charts/`, in name order (Helm's map order is random).
    pub dependencies: Vec<Chart>,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The CRD files of this chart and its subcharts (`crds/*.yaml|yml|json`),
    /// each with its path from the top chart (`top/charts/sub/crds/x.yaml`), as
    /// Helm's `CRDObjects` gives them.
    pub fn crd_objects(&self) -> Vec<(String, &File)> {
        let mut out = Vec::new();
        self.collect_crds(self.name(), &mut out);
        out
    }

    fn collect_crds<'a>(&'a self, path: &str, out: &mut Vec<(String, &'a File)>) {
        for file in &self.files {
            if file.name.starts_with("crds/") && has_manifest_extension(&file.name) {
                out.push((format!("{path}/{}", file.name), file));
            }
        }
        for dep in &self.dependencies {
            dep.collect_crds(&format!("{path}/charts/{}", dep.name()), out);
        }
    }
}

fn has_manifest_extension(name: &str) -> bool {
    let ext = match name.rsplit_once('/').map_or(name, |(_, base)| base).rsplit_once('.') {
        Some((_, ext)) => ext,
        None => return false,
    };
    ["yaml", "yml", "json"].iter().any(|e| ext.eq_ignore_ascii_case(e))
}

/// A maintainer entry of Chart.yaml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// A dependency entry of Chart.yaml (or requirements.yaml / a lock file).
#[derive(Debug, Clone, Default)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    /// Set by dependency processing: whether the subchart stays.
    pub enabled: bool,
    /// Each a string (`exports.` form) or a `{child, parent}` map.
    pub import_values: Vec<Value>,
    pub alias: String,
}

/// `Chart.lock`: only what rendering may need (the locked dependencies).
#[derive(Debug, Clone, Default)]
pub struct Lock {
    pub digest: String,
    pub dependencies: Vec<Dependency>,
}

/// Chart.yaml (Helm's `chart.Metadata`).
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    /// `None` entries are `null` list items, which validation refuses.
    pub maintainers: Vec<Option<Maintainer>>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: String,
    /// `None` entries are `null` list items, which validation refuses.
    pub dependencies: Vec<Option<Dependency>>,
    pub chart_type: String,
}

/// `apiVersion` Helm assumes when Chart.yaml has none (Helm 2 charts).
pub const API_VERSION_V1: &str = "v1";

impl Metadata {
    /// Decodes Chart.yaml text as Helm does (sigs.k8s.io/yaml into the Go
    /// struct): scalars become strings where the field is a string, other type
    /// mismatches are Go's `json: cannot unmarshal …` errors.
    pub fn from_yaml(text: &str) -> Result<Metadata, String> {
        let value = weir_sprig::yaml::from_yaml(text)?;
        let mut metadata = Metadata::default();
        metadata.merge_from(&value)?;
        Ok(metadata)
    }

    /// Unmarshals `value` over the fields already set (Go's `yaml.Unmarshal`
    /// into an existing struct, as requirements.yaml does after Chart.yaml).
    pub fn merge_from(&mut self, value: &Value) -> Result<(), String> {
        let fields = match value {
            Value::Nil => return Ok(()),
            Value::Map(map) => map.borrow().clone(),
            other => return Err(unmarshal_error(other, "Go value of type chart.Metadata")),
        };
        let top = Decoder { strukt: "Metadata", path: String::new() };
        for (key, value) in &fields {
            // encoding/json matches field names case-insensitively.
            let Some(field) = METADATA_FIELDS.iter().find(|f| f.eq_ignore_ascii_case(key)) else { continue };
            let d = top.field(field);
            match *field {
                "name" => d.string(value, &mut self.name)?,
                "home" => d.string(value, &mut self.home)?,
                "sources" => d.strings(value, &mut self.sources)?,
                "version" => d.string(value, &mut self.version)?,
                "description" => d.string(value, &mut self.description)?,
                "keywords" => d.strings(value, &mut self.keywords)?,
                "maintainers" => self.maintainers = d.list(value, "chart.Maintainer", decode_maintainer)?,
                "icon" => d.string(value, &mut self.icon)?,
                "apiVersion" => d.string(value, &mut self.api_version)?,
                "condition" => d.string(value, &mut self.condition)?,
                "tags" => d.string(value, &mut self.tags)?,
                "appVersion" => d.string(value, &mut self.app_version)?,
                "deprecated" => d.bool(value, &mut self.deprecated)?,
                "annotations" => d.string_map(value, &mut self.annotations)?,
                "kubeVersion" => d.string(value, &mut self.kube_version)?,
                "dependencies" => self.dependencies = d.list(value, "chart.Dependency", decode_dependency)?,
                "type" => d.string(value, &mut self.chart_type)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Helm's `Metadata.Validate`: sanitises the strings, then checks in Helm's order.
    pub fn validate(&mut self) -> Result<(), ChartError> {
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize(s);
        }
        let invalid = |msg: String| Err(ChartError::Validation(msg));
        if self.api_version.is_empty() {
            return invalid("chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return invalid("chart.metadata.name is required".into());
        }
        if self.name == "." || self.name == ".." {
            return invalid(format!("chart.metadata.name {:?} is not allowed", self.name));
        }
        // Go's filepath.Base: the name must not contain a path separator.
        if self.name.contains('/') {
            return invalid(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return invalid("chart.metadata.version is required".into());
        }
        if weir_semver::Version::parse_lenient(&self.version).is_err() {
            return invalid(format!("chart.metadata.version {:?} is invalid", self.version));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return invalid("chart.metadata.type must be application or library".into());
        }
        for maintainer in &mut self.maintainers {
            let Some(m) = maintainer else {
                return invalid("maintainers must not contain empty or null nodes".into());
            };
            for s in [&mut m.name, &mut m.email, &mut m.url] {
                *s = sanitize(s);
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for dependency in &mut self.dependencies {
            let Some(d) = dependency else {
                return invalid("dependencies must not contain empty or null nodes".into());
            };
            for s in [&mut d.name, &mut d.version, &mut d.repository, &mut d.condition] {
                *s = sanitize(s);
            }
            for t in &mut d.tags {
                *t = sanitize(t);
            }
            let alias_ok = d.alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !d.alias.is_empty() && !alias_ok {
                return invalid(format!("dependency {:?} has disallowed characters in the alias", d.name));
            }
            let key = if d.alias.is_empty() { d.name.clone() } else { d.alias.clone() };
            if !seen.insert(key.clone()) {
                return invalid(format!("more than one dependency with name or alias {key:?}"));
            }
        }
        Ok(())
    }

    /// The dependencies that are not `null` (validation refused those).
    pub fn dependencies(&self) -> impl Iterator<Item = &Dependency> {
        self.dependencies.iter().flatten()
    }

    fn field(&self, name: &str) -> Option<Value> {
        let s = |s: &String| Some(Value::string(s.as_str()));
        let list = |l: &Vec<String>| Some(Value::list(l.iter().map(|s| Value::string(s.as_str())).collect()));
        match name {
            "Name" => s(&self.name),
            "Home" => s(&self.home),
            "Sources" => list(&self.sources),
            "Version" => s(&self.version),
            "Description" => s(&self.description),
            "Keywords" => list(&self.keywords),
            "Maintainers" => Some(Value::list(
                self.maintainers
                    .iter()
                    .map(|m| m.as_ref().map_or(Value::Nil, |m| Value::Object(Rc::new(MaintainerObject(m.clone())))))
                    .collect(),
            )),
            "Icon" => s(&self.icon),
            "APIVersion" => s(&self.api_version),
            "Condition" => s(&self.condition),
            "Tags" => s(&self.tags),
            "AppVersion" => s(&self.app_version),
            "Deprecated" => Some(Value::Bool(self.deprecated)),
            "Annotations" => Some(string_map(&self.annotations)),
            "KubeVersion" => s(&self.kube_version),
            "Dependencies" => Some(Value::list(
                self.dependencies
                    .iter()
                    .map(|d| d.as_ref().map_or(Value::Nil, |d| Value::Object(Rc::new(DependencyObject(d.clone())))))
                    .collect(),
            )),
            "Type" => s(&self.chart_type),
            _ => None,
        }
    }

    /// The JSON form (`omitempty` on every field, as Helm's struct tags say).
    fn data(&self) -> Map {
        let mut m = Map::new();
        let mut put = |key: &str, v: Value| {
            if v.is_true() {
                m.insert(key.to_owned(), v);
            }
        };
        put("name", self.name.as_str().into());
        put("home", self.home.as_str().into());
        put("sources", strings(&self.sources));
        put("version", self.version.as_str().into());
        put("description", self.description.as_str().into());
        put("keywords", strings(&self.keywords));
        put(
            "maintainers",
            Value::list(self.maintainers.iter().map(|m| m.as_ref().map_or(Value::Nil, maintainer_data)).collect()),
        );
        put("icon", self.icon.as_str().into());
        put("apiVersion", self.api_version.as_str().into());
        put("condition", self.condition.as_str().into());
        put("tags", self.tags.as_str().into());
        put("appVersion", self.app_version.as_str().into());
        put("deprecated", Value::Bool(self.deprecated));
        put("annotations", string_map(&self.annotations));
        put("kubeVersion", self.kube_version.as_str().into());
        put(
            "dependencies",
            Value::list(self.dependencies.iter().map(|d| d.as_ref().map_or(Value::Nil, dependency_data)).collect()),
        );
        put("type", self.chart_type.as_str().into());
        m
    }

    /// Go's `%v` of the struct: fields in declaration order, space-separated.
    fn go_fields(&self) -> String {
        let list = |l: &Vec<String>| format!("[{}]", l.join(" "));
        let annotations: Vec<String> = self.annotations.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        // Maintainers and dependencies are pointers in Go, printed as addresses
        // there; their contents are the closest stable rendering.
        let maintainers: Vec<String> = self
            .maintainers
            .iter()
            .map(|m| m.as_ref().map_or("<nil>".into(), |m| format!("&{{{} {} {}}}", m.name, m.email, m.url)))
            .collect();
        let dependencies: Vec<String> =
            self.dependencies().map(|d| format!("&{{{} {} {}}}", d.name, d.version, d.repository)).collect();
        format!(
            "{{{} {} {} {} {} {} [{}] {} {} {} {} {} {} map[{}] {} [{}] {}}}",
            self.name,
            self.home,
            list(&self.sources),
            self.version,
            self.description,
            list(&self.keywords),
            maintainers.join(" "),
            self.icon,
            self.api_version,
            self.condition,
            self.tags,
            self.app_version,
            self.deprecated,
            annotations.join(" "),
            self.kube_version,
            dependencies.join(" "),
            self.chart_type,
        )
    }
}

const METADATA_FIELDS: [&str; 17] = [
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];

fn strings(list: &[String]) -> Value {
    Value::list(list.iter().map(|s| Value::string(s.as_str())).collect())
}

fn string_map(map: &BTreeMap<String, String>) -> Value {
    Value::map(map.iter().map(|(k, v)| (k.clone(), Value::string(v.as_str()))).collect())
}

fn maintainer_data(m: &Maintainer) -> Value {
    let mut map = Map::new();
    for (key, v) in [("name", &m.name), ("email", &m.email), ("url", &m.url)] {
        if !v.is_empty() {
            map.insert(key.into(), v.as_str().into());
        }
    }
    Value::map(map)
}

fn dependency_data(d: &Dependency) -> Value {
    let mut map = Map::new();
    // name and repository have no omitempty in Helm's struct tags.
    map.insert("name".into(), d.name.as_str().into());
    map.insert("repository".into(), d.repository.as_str().into());
    for (key, v) in [("version", &d.version), ("condition", &d.condition), ("alias", &d.alias)] {
        if !v.is_empty() {
            map.insert(key.into(), v.as_str().into());
        }
    }
    if !d.tags.is_empty() {
        map.insert("tags".into(), strings(&d.tags));
    }
    if d.enabled {
        map.insert("enabled".into(), Value::Bool(true));
    }
    if !d.import_values.is_empty() {
        map.insert("import-values".into(), Value::list(d.import_values.clone()));
    }
    Value::map(map)
}

/// Go's `sanitizeString`: whitespace becomes a space, unprintable runes go.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// Decoding a YAML value into a Go struct field, with encoding/json's errors.
struct Decoder {
    strukt: &'static str,
    path: String,
}

impl Decoder {
    fn field(&self, name: &str) -> Decoder {
        let path = if self.path.is_empty() { name.to_owned() } else { format!("{}.{name}", self.path) };
        Decoder { strukt: self.strukt, path }
    }

    fn error(&self, value: &Value, go_type: &str) -> String {
        unmarshal_error(value, &format!("Go struct field {}.{} of type {go_type}", self.strukt, self.path))
    }

    /// sigs.k8s.io/yaml turns any scalar into a string when the target is one.
    fn string(&self, value: &Value, out: &mut String) -> Result<(), String> {
        match scalar_string(value) {
            Some(Some(s)) => *out = s,
            Some(None) => {}
            None => return Err(self.error(value, "string")),
        }
        Ok(())
    }

    fn strings(&self, value: &Value, out: &mut Vec<String>) -> Result<(), String> {
        match value {
            Value::Nil => out.clear(),
            Value::List(items) => {
                let mut list = Vec::new();
                for item in items.iter() {
                    match scalar_string(item) {
                        Some(s) => list.push(s.unwrap_or_default()),
                        None => return Err(self.error(item, "string")),
                    }
                }
                *out = list;
            }
            other => return Err(self.error(other, "[]string")),
        }
        Ok(())
    }

    fn bool(&self, value: &Value, out: &mut bool) -> Result<(), String> {
        match value {
            Value::Nil => {}
            Value::Bool(b) => *out = *b,
            other => return Err(self.error(other, "bool")),
        }
        Ok(())
    }

    fn string_map(&self, value: &Value, out: &mut BTreeMap<String, String>) -> Result<(), String> {
        match value {
            Value::Nil => out.clear(),
            Value::Map(map) => {
                for (k, v) in map.borrow().iter() {
                    match scalar_string(v) {
                        Some(s) => {
                            out.insert(k.clone(), s.unwrap_or_default());
                        }
                        None => return Err(self.error(v, "string")),
                    }
                }
            }
            other => return Err(self.error(other, "map[string]string")),
        }
        Ok(())
    }

    /// A list of structs (`go_type` is the element's: `chart.Dependency`).
    fn list<T>(
        &self,
        value: &Value,
        go_type: &str,
        item: fn(&Decoder, &Map) -> Result<T, String>,
    ) -> Result<Vec<Option<T>>, String> {
        let items = match value {
            Value::Nil => return Ok(Vec::new()),
            Value::List(items) => items,
            other => return Err(self.error(other, &format!("[]*{go_type}"))),
        };
        items
            .iter()
            .map(|v| match v {
                Value::Nil => Ok(None),
                Value::Map(map) => item(self, &map.borrow()).map(Some),
                other => Err(self.error(other, go_type)),
            })
            .collect()
    }
}

fn decode_maintainer(d: &Decoder, map: &Map) -> Result<Maintainer, String> {
    let d = Decoder { strukt: "Maintainer", path: d.path.clone() };
    let mut m = Maintainer::default();
    for (key, value) in map {
        match key.to_ascii_lowercase().as_str() {
            "name" => d.field("name").string(value, &mut m.name)?,
            "email" => d.field("email").string(value, &mut m.email)?,
            "url" => d.field("url").string(value, &mut m.url)?,
            _ => {}
        }
    }
    Ok(m)
}

/// A dependency entry of Chart.yaml, requirements.yaml or a lock file.
fn decode_dependency(d: &Decoder, map: &Map) -> Result<Dependency, String> {
    let d = Decoder { strukt: "Dependency", path: d.path.clone() };
    let mut dep = Dependency::default();
    for (key, value) in map {
        match key.to_ascii_lowercase().as_str() {
            "name" => d.field("name").string(value, &mut dep.name)?,
            "version" => d.field("version").string(value, &mut dep.version)?,
            "repository" => d.field("repository").string(value, &mut dep.repository)?,
            "condition" => d.field("condition").string(value, &mut dep.condition)?,
            "tags" => d.field("tags").strings(value, &mut dep.tags)?,
            "enabled" => d.field("enabled").bool(value, &mut dep.enabled)?,
            "alias" => d.field("alias").string(value, &mut dep.alias)?,
            "import-values" => match value {
                Value::Nil => dep.import_values.clear(),
                Value::List(items) => dep.import_values = items.to_vec(),
                other => return Err(d.field("import-values").error(other, "[]interface {}")),
            },
            _ => {}
        }
    }
    Ok(dep)
}

impl Lock {
    /// Decodes `Chart.lock` / `requirements.lock` text.
    pub fn from_yaml(text: &str) -> Result<Lock, String> {
        let value = weir_sprig::yaml::from_yaml(text)?;
        let map = match &value {
            Value::Nil => return Ok(Lock::default()),
            Value::Map(map) => map.borrow().clone(),
            other => return Err(unmarshal_error(other, "Go value of type chart.Lock")),
        };
        let d = Decoder { strukt: "Lock", path: String::new() };
        let mut lock = Lock::default();
        for (key, value) in &map {
            match key.to_ascii_lowercase().as_str() {
                "digest" => d.field("digest").string(value, &mut lock.digest)?,
                "dependencies" => {
                    lock.dependencies = d
                        .field("dependencies")
                        .list(value, "chart.Dependency", decode_dependency)?
                        .into_iter()
                        .flatten()
                        .collect()
                }
                _ => {}
            }
        }
        Ok(lock)
    }
}

/// `.Chart` as Helm 3.18 passes it: `struct { chart.Metadata; IsRoot bool }`,
/// so the metadata's fields are promoted and `.Chart.Metadata` reaches them too.
pub struct ChartObject {
    pub metadata: Rc<Metadata>,
    pub is_root: bool,
}

impl Object for ChartObject {
    fn type_name(&self) -> &str {
        "struct { chart.Metadata; IsRoot bool }"
    }

    fn kind_name(&self) -> &str {
        "struct"
    }

    fn member(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "IsRoot" => Some(Ok(Value::Bool(self.is_root))),
            "Metadata" => Some(Ok(Value::Object(Rc::new(MetadataObject(self.metadata.clone()))))),
            _ => self.metadata.field(name).map(Ok),
        }
    }

    fn display(&self) -> String {
        format!("{{{} {}}}", self.metadata.go_fields(), self.is_root)
    }

    fn to_data(&self) -> Value {
        let mut data = self.metadata.data();
        data.insert("IsRoot".into(), Value::Bool(self.is_root));
        Value::map(data)
    }
}

/// `chart.Metadata` by value, as `.Chart.Metadata` gives it.
pub struct MetadataObject(pub Rc<Metadata>);

impl Object for MetadataObject {
    fn type_name(&self) -> &str {
        "chart.Metadata"
    }

    fn kind_name(&self) -> &str {
        "struct"
    }

    fn member(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        self.0.field(name).map(Ok)
    }

    fn display(&self) -> String {
        self.0.go_fields()
    }

    fn to_data(&self) -> Value {
        Value::map(self.0.data())
    }
}

/// A `*chart.Maintainer` of `.Chart.Maintainers`, reached by Go field names.
pub struct MaintainerObject(pub Maintainer);

impl Object for MaintainerObject {
    fn type_name(&self) -> &str {
        "*chart.Maintainer"
    }

    fn member(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        let m = &self.0;
        Some(Ok(Value::from(match name {
            "Name" => m.name.as_str(),
            "Email" => m.email.as_str(),
            "URL" => m.url.as_str(),
            _ => return None,
        })))
    }

    fn display(&self) -> String {
        format!("&{{{} {} {}}}", self.0.name, self.0.email, self.0.url)
    }

    fn to_data(&self) -> Value {
        maintainer_data(&self.0)
    }
}

/// A `*chart.Dependency` of `.Chart.Dependencies`, reached by Go field names.
pub struct DependencyObject(pub Dependency);

impl Object for DependencyObject {
    fn type_name(&self) -> &str {
        "*chart.Dependency"
    }

    fn member(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        let d = &self.0;
        Some(Ok(match name {
            "Name" => d.name.as_str().into(),
            "Version" => d.version.as_str().into(),
            "Repository" => d.repository.as_str().into(),
            "Condition" => d.condition.as_str().into(),
            "Tags" => strings(&d.tags),
            "Enabled" => Value::Bool(d.enabled),
            // A nil slice until dependency processing normalises it.
            "ImportValues" if d.import_values.is_empty() => Value::Nil,
            "ImportValues" => Value::list(d.import_values.clone()),
            "Alias" => d.alias.as_str().into(),
            _ => return None,
        }))
    }

    fn display(&self) -> String {
        let d = &self.0;
        let imports: Vec<String> = d.import_values.iter().map(Value::to_string).collect();
        format!(
            "&{{{} {} {} {} [{}] {} [{}] {}}}",
            d.name,
            d.version,
            d.repository,
            d.condition,
            d.tags.join(" "),
            d.enabled,
            imports.join(" "),
            d.alias
        )
    }

    fn to_data(&self) -> Value {
        dependency_data(&self.0)
    }
}
