//! kstatus-style readiness: whether an object reached the state its spec asks for.

use serde_json::Value;

use crate::object::ObjectId;

/// An object's readiness, as kstatus computes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// The object is what its spec asks for.
    Current,
    /// Not there yet; why.
    InProgress(String),
    /// It will not get there without a change; why.
    Failed(String),
}

/// Health checks that did not pass in time.
#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error("timeout waiting for: [{}]", .0.join(", "))]
    Timeout(Vec<String>),
    #[error("{0}")]
    Failed(String),
    #[error("cannot read {id}: {message}")]
    Unreadable { id: ObjectId, message: String },
}

/// The readiness of `object`, by kind; any other kind is judged by its `Ready` condition, if it has one.
pub fn readiness(object: &Value) -> Readiness {
    if object["metadata"]["deletionTimestamp"].is_string() {
        return Readiness::InProgress("being deleted".into());
    }
    if let Some(pending) = stale_observation(object) {
        return pending;
    }
    let status = &object["status"];
    let group = object["apiVersion"].as_str().unwrap_or_default().split_once('/').map_or("", |(group, _)| group);
    match (group, object["kind"].as_str().unwrap_or_default()) {
        ("apps", "Deployment") => deployment(object),
        ("apps", "StatefulSet") => stateful_set(object),
        ("apps", "DaemonSet") => daemon_set(object),
        ("apps", "ReplicaSet") => replica_set(object),
        ("batch", "Job") => job(status),
        ("", "Pod") => pod(status),
        ("", "PersistentVolumeClaim") => match status["phase"].as_str() {
            Some("Bound") => Readiness::Current,
            phase => Readiness::InProgress(format!("PVC is not Bound, phase: {}", phase.unwrap_or("Pending"))),
        },
        ("", "Service") => service(object),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => match condition(status, "Established") {
            Some("True") => Readiness::Current,
            _ => Readiness::InProgress("CRD is not established".into()),
        },
        ("", "Namespace") => match status["phase"].as_str() {
            Some("Terminating") => Readiness::InProgress("namespace is terminating".into()),
            _ => Readiness::Current,
        },
        _ => generic(status),
    }
}

/// kstatus: a controller that has not yet seen the latest generation has not acted on it.
fn stale_observation(object: &Value) -> Option<Readiness> {
    let generation = object["metadata"]["generation"].as_i64()?;
    let observed = object["status"]["observedGeneration"].as_i64()?;
    (observed < generation).then(|| Readiness::InProgress(format!("observed generation {observed} of {generation}")))
}

fn condition<'a>(status: &'a Value, kind: &str) -> Option<&'a str> {
    status["conditions"].as_array()?.iter().find(|condition| condition["type"] == kind)?["status"].as_str()
}

fn condition_field<'a>(status: &'a Value, kind: &str, field: &str) -> Option<&'a str> {
    status["conditions"].as_array()?.iter().find(|condition| condition["type"] == kind)?[field].as_str()
}

fn count(status: &Value, field: &str) -> i64 {
    status[field].as_i64().unwrap_or(0)
}

fn desired_replicas(object: &Value) -> i64 {
    object["spec"]["replicas"].as_i64().unwrap_or(1)
}

/// Workloads without `observedGeneration` in status have not been seen by their controller yet.
fn unobserved(object: &Value) -> Option<Readiness> {
    object["status"]["observedGeneration"]
        .is_null()
        .then(|| Readiness::InProgress("waiting for the controller to observe the object".into()))
}

fn deployment(object: &Value) -> Readiness {
    let status = &object["status"];
    if condition_field(status, "Progressing", "reason") == Some("ProgressDeadlineExceeded") {
        return Readiness::Failed("progress deadline exceeded".into());
    }
    if let Some(pending) = unobserved(object) {
        return pending;
    }
    let replicas = desired_replicas(object);
    for (field, what) in
        [("updatedReplicas", "updated"), ("readyReplicas", "ready"), ("availableReplicas", "available")]
    {
        let have = count(status, field);
        if have < replicas {
            return Readiness::InProgress(format!("{what} replicas: {have}/{replicas}"));
        }
    }
    if count(status, "replicas") > replicas {
        return Readiness::InProgress(format!("pending termination: {}", count(status, "replicas") - replicas));
    }
    Readiness::Current
}

fn stateful_set(object: &Value) -> Readiness {
    let status = &object["status"];
    if let Some(pending) = unobserved(object) {
        return pending;
    }
    let replicas = desired_replicas(object);
    for (field, what) in [("readyReplicas", "ready"), ("currentReplicas", "current")] {
        let have = count(status, field);
        if have < replicas {
            return Readiness::InProgress(format!("{what} replicas: {have}/{replicas}"));
        }
    }
    if status["updateRevision"] != status["currentRevision"] {
        return Readiness::InProgress("rolling out the update revision".into());
    }
    Readiness::Current
}

fn daemon_set(object: &Value) -> Readiness {
    if let Some(pending) = unobserved(object) {
        return pending;
    }
    let status = &object["status"];
    let desired = count(status, "desiredNumberScheduled");
    for (field, what) in
        [("updatedNumberScheduled", "updated"), ("numberAvailable", "available"), ("numberReady", "ready")]
    {
        let have = count(status, field);
        if have < desired {
            return Readiness::InProgress(format!("{what} pods: {have}/{desired}"));
        }
    }
    Readiness::Current
}

fn replica_set(object: &Value) -> Readiness {
    let status = &object["status"];
    if condition(status, "ReplicaFailure") == Some("True") {
        return Readiness::Failed("replica failure".into());
    }
    if let Some(pending) = unobserved(object) {
        return pending;
    }
    let replicas = desired_replicas(object);
    for (field, what) in [("readyReplicas", "ready"), ("availableReplicas", "available")] {
        let have = count(status, field);
        if have < replicas {
            return Readiness::InProgress(format!("{what} replicas: {have}/{replicas}"));
        }
    }
    Readiness::Current
}

fn job(status: &Value) -> Readiness {
    if condition(status, "Failed") == Some("True") {
        return Readiness::Failed(format!("job failed: {}", condition_field(status, "Failed", "reason").unwrap_or("")));
    }
    if condition(status, "Complete") == Some("True") {
        return Readiness::Current;
    }
    Readiness::InProgress(format!(
        "job in progress: {} active, {} succeeded",
        count(status, "active"),
        count(status, "succeeded")
    ))
}

fn pod(status: &Value) -> Readiness {
    match status["phase"].as_str() {
        Some("Succeeded") => Readiness::Current,
        Some("Failed") => Readiness::Failed("pod failed".into()),
        Some("Running") if condition(status, "Ready") == Some("True") => Readiness::Current,
        phase => Readiness::InProgress(format!("pod is not ready, phase: {}", phase.unwrap_or("Pending"))),
    }
}

fn service(object: &Value) -> Readiness {
    if object["spec"]["type"] == "LoadBalancer"
        && object["status"]["loadBalancer"]["ingress"].as_array().is_none_or(Vec::is_empty)
    {
        return Readiness::InProgress("waiting for the load balancer's address".into());
    }
    Readiness::Current
}

/// Any other kind, as kstatus reads conditions: `Stalled` fails, `Reconciling` is in progress,
/// then `Ready` decides; without them it is current.
fn generic(status: &Value) -> Readiness {
    if condition(status, "Stalled") == Some("True") {
        return Readiness::Failed(condition_field(status, "Stalled", "message").unwrap_or("stalled").to_owned());
    }
    if condition(status, "Reconciling") == Some("True") {
        let message = condition_field(status, "Reconciling", "message").unwrap_or("reconciling");
        return Readiness::InProgress(message.to_owned());
    }
    match condition(status, "Ready") {
        Some("False")
            if condition_field(status, "Ready", "reason").is_some_and(|reason| reason.ends_with("Failed")) =>
        {
            Readiness::Failed(condition_field(status, "Ready", "message").unwrap_or("not ready").to_owned())
        }
        Some("True") | None => Readiness::Current,
        Some(_) => Readiness::InProgress(condition_field(status, "Ready", "message").unwrap_or("not ready").to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deployment(status: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "generation": 2},
               "spec": {"replicas": 2}, "status": status})
    }

    #[test]
    fn deployments() {
        assert!(matches!(readiness(&deployment(json!({}))), Readiness::InProgress(_)));
        let stale = json!({"observedGeneration": 1, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2});
        assert!(matches!(readiness(&deployment(stale)), Readiness::InProgress(_)));
        let partial =
            json!({"observedGeneration": 2, "updatedReplicas": 2, "readyReplicas": 1, "availableReplicas": 1});
        assert_eq!(readiness(&deployment(partial)), Readiness::InProgress("ready replicas: 1/2".into()));
        let done = json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2});
        assert_eq!(readiness(&deployment(done)), Readiness::Current);
        let failed = json!({"observedGeneration": 2, "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]});
        assert!(matches!(readiness(&deployment(failed)), Readiness::Failed(_)));
    }

    #[test]
    fn jobs_pods_claims_services_and_conditions() {
        let job = |conditions: Value| json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "status": {"conditions": conditions}});
        assert_eq!(readiness(&job(json!([{"type": "Complete", "status": "True"}]))), Readiness::Current);
        assert!(matches!(readiness(&job(json!([{"type": "Failed", "status": "True"}]))), Readiness::Failed(_)));
        assert!(matches!(readiness(&job(json!([]))), Readiness::InProgress(_)));
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}});
        assert_eq!(readiness(&pod), Readiness::Current);
        let claim = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"}, "status": {"phase": "Pending"}});
        assert!(matches!(readiness(&claim), Readiness::InProgress(_)));
        let balancer =
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "LoadBalancer"}});
        assert!(matches!(readiness(&balancer), Readiness::InProgress(_)));
        let plain = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        assert_eq!(readiness(&plain), Readiness::Current);
        let custom = |status: &str, reason: &str| {
            json!({"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t", "generation": 1},
            "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": status, "reason": reason, "message": "m"}]}})
        };
        assert_eq!(readiness(&custom("True", "Succeeded")), Readiness::Current);
        assert_eq!(readiness(&custom("False", "Progressing")), Readiness::InProgress("m".into()));
        assert_eq!(readiness(&custom("False", "BuildFailed")), Readiness::Failed("m".into()));
        // A Flux object at work: Reconciling=True with Ready still True from the last run.
        let reconciling = json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "k", "generation": 1}, "status": {"observedGeneration": 1, "conditions": [
                {"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "message": "done"},
                {"type": "Reconciling", "status": "True", "reason": "Progressing", "message": "building"}]}});
        assert_eq!(readiness(&reconciling), Readiness::InProgress("building".into()));
    }
}
