//! The resource verbs: get, list, create, update, patch, delete,
//! deletecollection (watch is in `watch.rs`). Each takes a parsed request,
//! applies Kubernetes' object semantics, and answers with JSON or a Status.

use std::sync::Arc;

use serde_json::{Value, json};

use weir_strategic_merge::{ListStrategy, MergeSchema};

use crate::fieldset::TypeContext;
use crate::gc::Propagation;
use crate::objects::{self, Part};
use crate::registry::{GroupResource, Registry, ResourceType};
use crate::request::{Query, ResourceRequest};
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::{self, ApiError};
use crate::store::{Change, ObjectKey, Store, Written};
use crate::{apply, scale};

/// The registry and the store: what every handler works on.
pub struct Api {
    pub registry: Registry,
    pub store: Store,
}

/// A successful answer: HTTP code and body.
pub type Reply = (u16, Value);

/// How a PATCH body is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Json,
    Strategic,
    /// Server-side apply.
    Apply,
}

impl PatchKind {
    pub fn from_content_type(content_type: &str) -> Result<Self, ApiError> {
        match content_type.split(';').next().unwrap_or("").trim() {
            "application/merge-patch+json" => Ok(PatchKind::Merge),
            "application/json-patch+json" => Ok(PatchKind::Json),
            "application/strategic-merge-patch+json" => Ok(PatchKind::Strategic),
            "application/apply-patch+yaml" => Ok(PatchKind::Apply),
            other => Err(ApiError::unsupported_media_type(other)),
        }
    }
}

/// Where list merge keys come from: the built-in kinds' known keys, or a
/// custom resource's schema (`x-kubernetes-list-type`, `-map-keys`).
enum ListSchema<'a> {
    Builtin,
    Custom(&'a Value),
}

impl MergeSchema for ListSchema<'_> {
    fn list_strategy(&self, api_version: &str, kind: &str, path: &[&str]) -> ListStrategy {
        match self {
            ListSchema::Builtin => weir_strategic_merge::BuiltinSchema.list_strategy(api_version, kind, path),
            ListSchema::Custom(schema) => {
                let node = path.iter().fold(*schema, |node, field| {
                    let node = if node["type"] == "array" { &node["items"] } else { node };
                    &node["properties"][*field]
                });
                match node["x-kubernetes-list-type"].as_str() {
                    Some("map") => node["x-kubernetes-list-map-keys"][0]
                        .as_str()
                        .map_or(ListStrategy::Replace, |key| ListStrategy::MergeByKey(key.to_owned())),
                    Some("set") => ListStrategy::MergePrimitives,
                    _ => ListStrategy::Replace,
                }
            }
        }
    }
}

fn type_context<'a>(ty: &'a ResourceType, schema: &'a ListSchema<'a>) -> TypeContext<'a> {
    TypeContext { api_version: ty.api_version(), kind: &ty.kind, schema }
}

fn check_name(object: &Value, name: &str) -> Result<(), ApiError> {
    match object["metadata"]["name"].as_str() {
        Some(found) if found == name => Ok(()),
        found => Err(ApiError::bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({name})",
            found.unwrap_or("")
        ))),
    }
}

/// The manager a write is recorded under (`fieldManager`; the server
/// defaults it from the client's user agent).
fn field_manager(query: &Query) -> Result<&str, ApiError> {
    let manager = query.get("fieldManager").unwrap_or("unknown");
    if manager.len() > 128 {
        return Err(ApiError::bad_request("fieldManager may be at most 128 characters"));
    }
    Ok(manager)
}

/// 409 naming every field another manager owns, worded as kube-apiserver does.
fn conflict_error(ty: &ResourceType, name: &str, conflicts: &[apply::Conflict]) -> ApiError {
    let mut by_owner: Vec<(String, Vec<&str>)> = Vec::new();
    for conflict in conflicts {
        let owner = format!("\"{}\" using {}", conflict.manager, conflict.api_version);
        match by_owner.iter_mut().find(|(existing, _)| *existing == owner) {
            Some((_, fields)) => fields.push(&conflict.field),
            None => by_owner.push((owner, vec![&conflict.field])),
        }
    }
    let described: Vec<String> = by_owner
        .iter()
        .map(|(owner, fields)| match fields.as_slice() {
            [field] => format!("conflict with {owner}: {field}"),
            _ => format!("conflicts with {owner}:\n- {}", fields.join("\n- ")),
        })
        .collect();
    let count = conflicts.len();
    let message =
        format!("Apply failed with {count} conflict{}: {}", if count == 1 { "" } else { "s" }, described.join("\n"));
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|conflict| {
            json!({
                "reason": "FieldManagerConflict",
                "message": format!("conflict with \"{}\" using {}", conflict.manager, conflict.api_version),
                "field": conflict.field,
            })
        })
        .collect();
    let mut error = ApiError::conflict(&ty.group, &ty.plural, name, "").with_message(message);
    error.details = Some(json!({ "name": name, "group": ty.group, "kind": ty.plural, "causes": causes }));
    error
}

fn list_schema(ty: &ResourceType) -> ListSchema<'_> {
    match &ty.schema {
        Some(schema) => ListSchema::Custom(schema),
        None => ListSchema::Builtin,
    }
}

impl Api {
    /// Serves `store`: a new one gets the namespaces and roles every cluster
    /// starts with; a reopened one serves its custom resources again.
    pub fn new(store: Store) -> Self {
        let api = Self { registry: Registry::with_builtins(), store };
        if !api.store.is_empty() {
            api.serve_stored_custom_resources();
            return api;
        }
        let namespaces = ResourceRequest {
            group: String::new(),
            version: "v1".into(),
            namespace: String::new(),
            resource: "namespaces".into(),
            name: None,
            subresource: None,
        };
        let mut bootstrap: Vec<(ResourceRequest, Value)> = ["default", "kube-system", "kube-public", "kube-node-lease"]
            .into_iter()
            .map(|name| {
                (namespaces.clone(), json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": name } }))
            })
            .collect();
        for object in api.bootstrap_rbac() {
            let resource = if object["kind"] == "ClusterRole" { "clusterroles" } else { "clusterrolebindings" };
            let request = ResourceRequest {
                group: "rbac.authorization.k8s.io".into(),
                version: "v1".into(),
                resource: resource.into(),
                ..namespaces.clone()
            };
            bootstrap.push((request, object));
        }
        for (request, object) in bootstrap {
            if let Err(error) = api.create(&request, &Query::default(), object) {
                tracing::error!("cannot bootstrap {}: {error}", request.resource);
            }
        }
        api
    }

    /// The resource type a request names, checked against its scope.
    pub fn resource_type(&self, request: &ResourceRequest) -> Result<Arc<ResourceType>, ApiError> {
        let not_found =
            || ApiError::not_found(&request.group, &request.resource, request.name.as_deref().unwrap_or(""));
        let ty = self
            .registry
            .lookup(&request.group, &request.version, &request.resource)
            .ok_or_else(|| not_found().with_message("the server could not find the requested resource"))?;
        if !ty.namespaced && !request.namespace.is_empty() {
            return Err(not_found());
        }
        if ty.namespaced && request.name.is_some() && request.namespace.is_empty() {
            return Err(not_found());
        }
        match request.subresource.as_deref() {
            None => Ok(ty),
            Some("status") if ty.status_subresource => Ok(ty),
            Some("scale") if ty.scale.is_some() => Ok(ty),
            Some(_) => Err(not_found()),
        }
    }

    fn key(ty: &ResourceType, namespace: &str, name: &str) -> ObjectKey {
        ObjectKey {
            resource: ty.group_resource(),
            namespace: if ty.namespaced { namespace.to_owned() } else { String::new() },
            name: name.to_owned(),
        }
    }

    /// The object as served at the requested version (storage is schemaless).
    fn served(ty: &ResourceType, mut object: Value) -> Value {
        object["apiVersion"] = Value::String(ty.api_version());
        object["kind"] = Value::String(ty.kind.clone());
        object
    }

    /// The object as served, or its Scale view when `/scale` was asked.
    fn answer(&self, ty: &ResourceType, request: &ResourceRequest, object: Value) -> Value {
        match (&ty.scale, request.subresource.as_deref()) {
            (Some(paths), Some("scale")) => scale::of(&object, paths),
            _ => Self::served(ty, object),
        }
    }

    fn part(request: &ResourceRequest) -> Part {
        if request.subresource.as_deref() == Some("status") { Part::Status } else { Part::Main }
    }

    pub fn get(&self, request: &ResourceRequest, name: &str) -> Result<Reply, ApiError> {
        let ty = self.resource_type(request)?;
        let object = self
            .store
            .get(&Self::key(&ty, &request.namespace, name))
            .ok_or_else(|| ApiError::not_found(&ty.group, &ty.plural, name))?;
        Ok((200, self.answer(&ty, request, object)))
    }

    /// The objects a list or watch selects.
    pub fn selection(query: &Query) -> Result<(LabelSelector, FieldSelector), ApiError> {
        Ok((
            LabelSelector::parse(query.get("labelSelector").unwrap_or(""))?,
            FieldSelector::parse(query.get("fieldSelector").unwrap_or(""))?,
        ))
    }

    pub fn list(&self, request: &ResourceRequest, query: &Query) -> Result<(Arc<ResourceType>, Value), ApiError> {
        let ty = self.resource_type(request)?;
        let (labels, fields) = Self::selection(query)?;
        let namespace = (!request.namespace.is_empty()).then_some(request.namespace.as_str());
        let (items, revision) = self.store.list(&ty.group_resource(), namespace);
        let mut items: Vec<Value> =
            items.into_iter().filter(|item| labels.matches(item) && fields.matches(item)).collect();
        // `continue` resumes after the last key returned: "namespace/name".
        if let Some(token) = query.get("continue") {
            let (after_namespace, after_name) = token
                .split_once('/')
                .ok_or_else(|| ApiError::bad_request(format!("invalid continue token {token:?}")))?;
            items.retain(|item| {
                let namespace = item["metadata"]["namespace"].as_str().unwrap_or("");
                let name = item["metadata"]["name"].as_str().unwrap_or("");
                (namespace, name) > (after_namespace, after_name)
            });
        }
        let mut metadata = json!({ "resourceVersion": revision.to_string() });
        if let Some(limit) = query.number("limit")?.filter(|limit| *limit > 0)
            && items.len() as u64 > limit
        {
            let remaining = items.len() as u64 - limit;
            items.truncate(limit as usize);
            let last = &items[items.len() - 1]["metadata"];
            metadata["continue"] = Value::String(format!(
                "{}/{}",
                last["namespace"].as_str().unwrap_or(""),
                last["name"].as_str().unwrap_or("")
            ));
            metadata["remainingItemCount"] = Value::from(remaining);
        }
        let items: Vec<Value> = items.into_iter().map(|item| Self::served(&ty, item)).collect();
        let list = json!({
            "kind": format!("{}List", ty.kind),
            "apiVersion": ty.api_version(),
            "metadata": metadata,
            "items": items,
        });
        Ok((ty, list))
    }

    pub fn create(&self, request: &ResourceRequest, query: &Query, body: Value) -> Result<Reply, ApiError> {
        let ty = self.resource_type(request)?;
        if ty.create_only {
            return Err(ApiError::method_not_allowed(format!(
                "{} can only be created by the review endpoint",
                ty.plural
            )));
        }
        let object = self.decode_body(&ty, request, body)?;
        let manager = field_manager(query)?;
        self.create_object(&ty, request, query, object, |object| {
            let schema = list_schema(&ty);
            apply::track_update(None, object, manager, &type_context(&ty, &schema));
        })
    }

    /// Stores a new object; `own` records its field ownership.
    fn create_object(
        &self,
        ty: &ResourceType,
        request: &ResourceRequest,
        query: &Query,
        mut object: Value,
        own: impl FnOnce(&mut Value),
    ) -> Result<Reply, ApiError> {
        if object["metadata"]["name"].as_str().unwrap_or("").is_empty()
            && let Some(prefix) = object["metadata"]["generateName"].as_str().filter(|prefix| !prefix.is_empty())
        {
            object["metadata"]["name"] = Value::String(objects::generate_name(prefix));
        }
        objects::validate_metadata(ty, &object)?;
        objects::prepare_create(ty, &mut object);
        let registration = Self::server_side_effects(ty, &mut object)?;
        own(&mut object);
        let name = object["metadata"]["name"].as_str().unwrap_or_default().to_owned();
        if ty.namespaced {
            if request.namespace.is_empty() {
                return Err(ApiError::bad_request(format!("{} must be created in a namespace", ty.plural)));
            }
            self.check_namespace_accepts_objects(&request.namespace)?;
        }
        let key = Self::key(ty, &request.namespace, &name);
        let dry_run = query.dry_run()?;
        let written = self.store.write(&key, dry_run, |current| match current {
            Some(_) => Err(ApiError::already_exists(&ty.group, &ty.plural, &name)),
            None => Ok(Change::Put(object)),
        })?;
        match written {
            Written::Stored(object) => {
                if let Some((resource, types)) = registration.filter(|_| !dry_run) {
                    self.registry.register(&resource, types);
                }
                Ok((201, Self::served(ty, object)))
            }
            other => Err(ApiError::internal(format!("create wrote {other:?}"))),
        }
    }

    pub fn update(&self, request: &ResourceRequest, name: &str, query: &Query, body: Value) -> Result<Reply, ApiError> {
        let ty = self.resource_type(request)?;
        let manager = field_manager(query)?;
        if let (Some(paths), Some("scale")) = (&ty.scale, request.subresource.as_deref()) {
            return self.replace(&ty, request, name, query.dry_run()?, Some(manager), |current| {
                Ok(scale::apply(current, &body, paths))
            });
        }
        let object = self.decode_body(&ty, request, body)?;
        check_name(&object, name)?;
        self.replace(&ty, request, name, query.dry_run()?, Some(manager), |_| Ok(object))
    }

    pub fn patch(
        &self,
        request: &ResourceRequest,
        name: &str,
        query: &Query,
        kind: PatchKind,
        body: Value,
    ) -> Result<Reply, ApiError> {
        let ty = self.resource_type(request)?;
        let manager = field_manager(query)?;
        if kind == PatchKind::Apply {
            return self.server_side_apply(&ty, request, name, query, manager, body);
        }
        if kind == PatchKind::Strategic && ty.schema.is_some() {
            return Err(ApiError::unsupported_media_type("application/strategic-merge-patch+json").with_message(
                "strategic merge patch is not supported for custom resources: use a merge, JSON or apply patch",
            ));
        }
        let invalid_patch = |error: String| ApiError::bad_request(format!("invalid patch: {error}"));
        let schema = list_schema(&ty);
        let scale_paths = ty.scale.as_ref().filter(|_| request.subresource.as_deref() == Some("scale"));
        self.replace(&ty, request, name, query.dry_run()?, Some(manager), |current| {
            // A patch to /scale patches the Scale view, then lands in the object.
            let mut patched = match scale_paths {
                Some(paths) => scale::of(current, paths),
                None => current.clone(),
            };
            match kind {
                PatchKind::Merge => json_patch::merge(&mut patched, &body),
                PatchKind::Json => {
                    let operations: json_patch::Patch =
                        serde_json::from_value(body).map_err(|error| invalid_patch(error.to_string()))?;
                    json_patch::patch(&mut patched, &operations).map_err(|error| invalid_patch(error.to_string()))?;
                }
                PatchKind::Strategic | PatchKind::Apply => weir_strategic_merge::apply(&mut patched, &body, &schema)
                    .map_err(|error| invalid_patch(error.to_string()))?,
            }
            Ok(match scale_paths {
                Some(paths) => scale::apply(current, &patched, paths),
                None => patched,
            })
        })
    }

    /// `PATCH` with `application/apply-patch+yaml`: creates the object when
    /// missing, otherwise merges the applied configuration as its manager.
    fn server_side_apply(
        &self,
        ty: &ResourceType,
        request: &ResourceRequest,
        name: &str,
        query: &Query,
        manager: &str,
        body: Value,
    ) -> Result<Reply, ApiError> {
        if query.get("fieldManager").is_none() {
            return Err(ApiError::bad_request("PATCH requests with apply must specify a fieldManager"));
        }
        let force = query.flag("force");
        let applied = self.decode_body(ty, request, body)?;
        check_name(&applied, name)?;
        let schema = list_schema(ty);
        let context = type_context(ty, &schema);
        let conflict = |conflicts: Vec<apply::Conflict>| conflict_error(ty, name, &conflicts);
        if self.store.get(&Self::key(ty, &request.namespace, name)).is_none() {
            // A new object starts as its identity; apply fills in the rest.
            let mut identity =
                json!({ "apiVersion": applied["apiVersion"], "kind": applied["kind"], "metadata": { "name": name } });
            if let Some(namespace) = applied["metadata"].get("namespace") {
                identity["metadata"]["namespace"] = namespace.clone();
            }
            let created = apply::apply(Some(&identity), &applied, manager, force, &context).map_err(conflict)?;
            return self.create_object(ty, request, query, created, |_| {});
        }
        self.replace(ty, request, name, query.dry_run()?, None, |current| {
            apply::apply(Some(current), &applied, manager, force, &context).map_err(conflict)
        })
    }

    /// Read-modify-write of an existing object: `revise` computes the new
    /// object from the stored one; the server's rules then apply, and
    /// `manager` (absent when the revision was an apply) owns what changed.
    fn replace(
        &self,
        ty: &ResourceType,
        request: &ResourceRequest,
        name: &str,
        dry_run: bool,
        manager: Option<&str>,
        revise: impl FnOnce(&Value) -> Result<Value, ApiError>,
    ) -> Result<Reply, ApiError> {
        let key = Self::key(ty, &request.namespace, name);
        let part = Self::part(request);
        let mut registration = None;
        let schema = list_schema(ty);
        let context = type_context(ty, &schema);
        let written = self.store.write(&key, dry_run, |current| {
            let current = current.ok_or_else(|| ApiError::not_found(&ty.group, &ty.plural, name))?;
            let mut updated = revise(current)?;
            let expected = updated["metadata"]["resourceVersion"].as_str().filter(|version| !version.is_empty());
            if expected.is_some_and(|expected| Some(expected) != current["metadata"]["resourceVersion"].as_str()) {
                return Err(ApiError::conflict(
                    &ty.group,
                    &ty.plural,
                    name,
                    "the object has been modified; please apply your changes to the latest version and try again",
                ));
            }
            if updated["metadata"]["name"].as_str() != Some(name) {
                return Err(ApiError::bad_request("metadata.name cannot be changed".to_string()));
            }
            objects::prepare_update(ty, part, current, &mut updated);
            objects::validate_metadata(ty, &updated)?;
            if part == objects::Part::Main {
                objects::validate_immutable(ty, current, &updated)?;
            }
            registration = Self::server_side_effects(ty, &mut updated)?;
            if let Some(manager) = manager {
                apply::track_update(Some(current), &mut updated, manager, &context);
            }
            if objects::is_terminating(&updated) && !objects::has_finalizers(&updated) {
                return Ok(Change::Delete);
            }
            Ok(if objects::differs(current, &updated) { Change::Put(updated) } else { Change::Keep })
        })?;
        let object = match written {
            Written::Deleted(object) => {
                if !dry_run {
                    self.forget_custom_resource(ty, &object);
                    self.after_removal(&object);
                }
                object
            }
            Written::Stored(object) => {
                if let Some((resource, types)) = registration.filter(|_| !dry_run) {
                    self.registry.register(&resource, types);
                }
                object
            }
            Written::Unchanged(Some(object)) => object,
            Written::Unchanged(None) => return Err(ApiError::not_found(&ty.group, &ty.plural, name)),
        };
        self.finish_namespace_deletion(&key.namespace);
        Ok((200, self.answer(ty, request, object)))
    }

    pub fn delete(
        &self,
        request: &ResourceRequest,
        name: &str,
        query: &Query,
        options: &Value,
    ) -> Result<Reply, ApiError> {
        let ty = self.resource_type(request)?;
        let dry_run = query.dry_run()? || options["dryRun"].as_array().is_some_and(|modes| !modes.is_empty());
        let propagation = Propagation::of_request(query, options)?;
        let object =
            self.delete_object(&ty, &Self::key(&ty, &request.namespace, name), options, propagation, dry_run)?;
        if ty.group.is_empty() && ty.plural == "namespaces" && !dry_run {
            self.delete_namespace_contents(name);
        }
        self.finish_namespace_deletion(&request.namespace);
        Ok((200, Self::served(&ty, object)))
    }

    pub fn delete_collection(
        &self,
        request: &ResourceRequest,
        query: &Query,
        options: &Value,
    ) -> Result<Reply, ApiError> {
        let (ty, list) = self.list(request, query)?;
        let dry_run = query.dry_run()?;
        let propagation = Propagation::of_request(query, options)?;
        for item in list["items"].as_array().into_iter().flatten() {
            let namespace = item["metadata"]["namespace"].as_str().unwrap_or("");
            let name = item["metadata"]["name"].as_str().unwrap_or("");
            match self.delete_object(&ty, &Self::key(&ty, namespace, name), options, propagation, dry_run) {
                Ok(_) => {}
                Err(error) if error.code == 404 => {}
                Err(error) => return Err(error),
            }
        }
        self.finish_namespace_deletion(&request.namespace);
        Ok((200, status::success()))
    }

    /// Deletes one object: at once when it has no finalizers, otherwise by
    /// marking it (deletionTimestamp) until its finalizers are removed.
    pub(crate) fn delete_object(
        &self,
        ty: &ResourceType,
        key: &ObjectKey,
        options: &Value,
        propagation: Propagation,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        if !dry_run && let Some(current) = self.store.get(key) {
            match propagation {
                Propagation::Orphan => self.orphan_dependents(&current),
                Propagation::Foreground => self.delete_dependents_first(key, &current)?,
                Propagation::Background => {}
            }
        }
        let preconditions = &options["preconditions"];
        let written = self.store.write(key, dry_run, |current| {
            let current = current.ok_or_else(|| ApiError::not_found(&ty.group, &ty.plural, &key.name))?;
            for field in ["uid", "resourceVersion"] {
                if let Some(expected) = preconditions[field].as_str()
                    && current["metadata"][field].as_str() != Some(expected)
                {
                    return Err(ApiError::conflict(
                        &ty.group,
                        &ty.plural,
                        &key.name,
                        &format!(
                            "Precondition failed: {field} in precondition: {expected}, {field} in object meta: {}",
                            current["metadata"][field].as_str().unwrap_or("")
                        ),
                    ));
                }
            }
            if !objects::has_finalizers(current) {
                return Ok(Change::Delete);
            }
            if objects::is_terminating(current) {
                return Ok(Change::Keep);
            }
            let mut marked = current.clone();
            marked["metadata"]["deletionTimestamp"] = Value::String(objects::now());
            marked["metadata"]["deletionGracePeriodSeconds"] = Value::from(0);
            if ty.group.is_empty() && ty.plural == "namespaces" {
                marked["status"]["phase"] = Value::String("Terminating".into());
            }
            Ok(Change::Put(marked))
        })?;
        match written {
            Written::Deleted(object) => {
                if !dry_run {
                    self.forget_custom_resource(ty, &object);
                    self.after_removal(&object);
                }
                Ok(object)
            }
            Written::Stored(object) | Written::Unchanged(Some(object)) => Ok(object),
            Written::Unchanged(None) => Err(ApiError::not_found(&ty.group, &ty.plural, &key.name)),
        }
    }

    /// A namespace being deleted takes everything in it along.
    fn delete_namespace_contents(&self, namespace: &str) {
        for key in self.store.keys_in_namespace(namespace) {
            if let Some(ty) = self.registry.lookup_resource(&key.resource)
                && let Err(error) = self.delete_object(&ty, &key, &Value::Null, Propagation::Background, false)
                && error.code != 404
            {
                tracing::warn!(namespace, name = key.name, "namespace deletion left an object: {error}");
            }
        }
    }

    /// Removes a terminating namespace once nothing is left in it.
    fn finish_namespace_deletion(&self, namespace: &str) {
        if namespace.is_empty() {
            return;
        }
        let key = ObjectKey {
            resource: GroupResource { group: String::new(), resource: "namespaces".into() },
            namespace: String::new(),
            name: namespace.to_owned(),
        };
        let empty = self.store.keys_in_namespace(namespace).is_empty();
        let _ = self.store.write(&key, false, |current| {
            Ok(match current {
                Some(object) if empty && objects::is_terminating(object) => Change::Delete,
                _ => Change::Keep,
            })
        });
    }

    /// New objects may go only into a namespace that exists and is not being deleted.
    fn check_namespace_accepts_objects(&self, namespace: &str) -> Result<(), ApiError> {
        let key = ObjectKey {
            resource: GroupResource { group: String::new(), resource: "namespaces".into() },
            namespace: String::new(),
            name: namespace.to_owned(),
        };
        match self.store.get(&key) {
            None => Err(ApiError::not_found("", "namespaces", namespace)),
            Some(object) if objects::is_terminating(&object) => Err(ApiError::forbidden(format!(
                "unable to create new content in namespace {namespace} because it is being terminated"
            ))),
            Some(_) => Ok(()),
        }
    }

    /// Checks a request body against the URL: kind, apiVersion, namespace.
    fn decode_body(&self, ty: &ResourceType, request: &ResourceRequest, mut object: Value) -> Result<Value, ApiError> {
        if !object.is_object() {
            return Err(ApiError::bad_request("the request body must be a JSON object"));
        }
        let kind = object["kind"].as_str().unwrap_or(&ty.kind);
        let api_version = object["apiVersion"].as_str().map(str::to_owned).unwrap_or_else(|| ty.api_version());
        if kind != ty.kind || api_version != ty.api_version() {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({api_version}) does not match the expected API version ({}) or kind ({kind} vs {})",
                ty.api_version(),
                ty.kind
            )));
        }
        object = Self::served(ty, object);
        if !object["metadata"].is_object() {
            object["metadata"] = json!({});
        }
        if ty.namespaced {
            match object["metadata"]["namespace"].as_str() {
                Some(namespace) if !namespace.is_empty() && namespace != request.namespace => {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                _ => object["metadata"]["namespace"] = Value::String(request.namespace.clone()),
            }
        } else if let Some(metadata) = object["metadata"].as_object_mut() {
            metadata.remove("namespace");
        }
        Ok(object)
    }
}
