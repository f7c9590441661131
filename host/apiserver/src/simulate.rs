//! For `weir dev` and tests: stand-ins for the workload controllers and the
//! kubelet. After a delay, Deployments, ReplicaSets, StatefulSets, DaemonSets
//! and Jobs get the status their real controllers would write once all pods
//! run, and Pods run: to completion (`Succeeded`) when their restart policy
//! lets them end (as Helm's test and hook pods do), else `Running` and Ready,
//! so health checks (kstatus) see them become ready.
//!
//! The annotation `weir.dev/simulate` changes the outcome:
//! - `unready`: the workload stays in progress (no ready replicas);
//! - `fail`: a Deployment exceeds its progress deadline, a Job or Pod fails.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::handlers::Api;
use crate::objects;
use crate::store::{Change, EventKind, ObjectKey};

/// The annotation that picks a simulated outcome.
pub const ANNOTATION: &str = "weir.dev/simulate";

const WORKLOADS: &[(&str, &str)] = &[
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("", "pods"),
];

/// Runs until the server stops: every workload change gets its status `delay` later.
pub async fn run(api: Arc<Api>, delay: Duration) {
    let mut events = api.store.subscribe();
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        let resource = &event.key.resource;
        let is_workload =
            WORKLOADS.iter().any(|(group, plural)| resource.group == *group && resource.resource == *plural);
        if event.kind == EventKind::Deleted || !is_workload || is_settled(&event.object) {
            continue;
        }
        let (api, key) = (api.clone(), event.key.clone());
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            settle(&api, &key);
        });
    }
}

/// Whether the status already answers the current generation.
fn is_settled(object: &Value) -> bool {
    if object["kind"] == "Pod" {
        return object["status"]["phase"].is_string();
    }
    object["status"]["observedGeneration"] == object["metadata"]["generation"] && object["status"].is_object()
        || object["status"]["conditions"].as_array().is_some_and(|conditions| {
            conditions.iter().any(|condition| matches!(condition["type"].as_str(), Some("Complete" | "Failed")))
        })
}

fn settle(api: &Api, key: &ObjectKey) {
    let outcome = api.store.write(key, false, |current| {
        let Some(current) = current.filter(|object| !is_settled(object) && !objects::is_terminating(object)) else {
            return Ok(Change::Keep);
        };
        let mut updated = current.clone();
        updated["status"] = status(&key.resource.resource, current);
        Ok(Change::Put(updated))
    });
    if let Err(error) = outcome {
        tracing::warn!(name = key.name, "simulated status not written: {error}");
    }
}

fn condition(kind: &str, status: bool, reason: &str, message: &str) -> Value {
    let now = objects::now();
    json!({
        "type": kind,
        "status": if status { "True" } else { "False" },
        "lastUpdateTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    })
}

/// The status the real controller would report.
fn status(resource: &str, object: &Value) -> Value {
    let outcome = object["metadata"]["annotations"][ANNOTATION].as_str().unwrap_or("ready");
    let generation = object["metadata"]["generation"].clone();
    let name = object["metadata"]["name"].as_str().unwrap_or("");
    let replicas = object["spec"]["replicas"].as_i64().unwrap_or(1);
    let ready = if outcome == "ready" { replicas } else { 0 };
    match resource {
        "deployments" => {
            let progressing = match outcome {
                "fail" => condition(
                    "Progressing",
                    false,
                    "ProgressDeadlineExceeded",
                    &format!("ReplicaSet \"{name}\" has timed out progressing."),
                ),
                "unready" => condition(
                    "Progressing",
                    true,
                    "ReplicaSetUpdated",
                    &format!("ReplicaSet \"{name}\" is progressing."),
                ),
                _ => condition(
                    "Progressing",
                    true,
                    "NewReplicaSetAvailable",
                    &format!("ReplicaSet \"{name}\" has successfully progressed."),
                ),
            };
            let available = if ready == replicas {
                condition("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.")
            } else {
                condition(
                    "Available",
                    false,
                    "MinimumReplicasUnavailable",
                    "Deployment does not have minimum availability.",
                )
            };
            let mut status = json!({
                "observedGeneration": generation,
                "replicas": replicas,
                "updatedReplicas": replicas,
                "conditions": [available, progressing],
            });
            if ready > 0 {
                status["readyReplicas"] = json!(ready);
                status["availableReplicas"] = json!(ready);
            } else {
                status["unavailableReplicas"] = json!(replicas);
            }
            status
        }
        "replicasets" => json!({
            "observedGeneration": generation,
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
        }),
        "statefulsets" => json!({
            "observedGeneration": generation,
            "replicas": replicas,
            "readyReplicas": ready,
            "currentReplicas": replicas,
            "updatedReplicas": replicas,
            "availableReplicas": ready,
            "currentRevision": format!("{name}-{}", generation),
            "updateRevision": format!("{name}-{}", generation),
            "collisionCount": 0,
        }),
        "pods" => {
            let runs_to_completion = matches!(object["spec"]["restartPolicy"].as_str(), Some("Never" | "OnFailure"));
            let containers = object["spec"]["containers"].as_array().cloned().unwrap_or_default();
            let finished = |exit_code: i64, reason: &str| {
                let statuses: Vec<Value> = containers
                    .iter()
                    .map(|container| {
                        json!({
                            "name": container["name"], "image": container["image"], "ready": false, "restartCount": 0,
                            "state": {"terminated": {"exitCode": exit_code, "reason": reason, "finishedAt": objects::now()}},
                        })
                    })
                    .collect();
                statuses
            };
            match (outcome, runs_to_completion) {
                ("fail", _) => json!({
                    "phase": "Failed",
                    "containerStatuses": finished(1, "Error"),
                    "conditions": [condition("Ready", false, "PodFailed", "")],
                }),
                ("unready", _) => {
                    json!({ "phase": "Pending", "conditions": [condition("Ready", false, "ContainersNotReady", "")] })
                }
                (_, true) => json!({
                    "phase": "Succeeded",
                    "containerStatuses": finished(0, "Completed"),
                    "conditions": [condition("Ready", false, "PodCompleted", "")],
                }),
                (_, false) => json!({ "phase": "Running", "conditions": [condition("Ready", true, "", "")] }),
            }
        }
        "daemonsets" => json!({
            "observedGeneration": generation,
            "currentNumberScheduled": 1,
            "desiredNumberScheduled": 1,
            "numberMisscheduled": 0,
            "numberReady": if ready > 0 { 1 } else { 0 },
            "numberAvailable": if ready > 0 { 1 } else { 0 },
            "updatedNumberScheduled": 1,
        }),
        _ => {
            let completions = object["spec"]["completions"].as_i64().unwrap_or(1);
            let started = object["metadata"]["creationTimestamp"].clone();
            match outcome {
                "fail" => json!({
                    "startTime": started,
                    "failed": 1,
                    "conditions": [
                        condition("FailureTarget", true, "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                        condition("Failed", true, "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                    ],
                }),
                "unready" => json!({ "startTime": started, "active": 1, "ready": 0 }),
                _ => json!({
                    "startTime": started,
                    "completionTime": objects::now(),
                    "succeeded": completions,
                    "ready": 0,
                    "conditions": [
                        condition("SuccessCriteriaMet", true, "CompletionsReached", "Reached expected number of succeeded pods"),
                        condition("Complete", true, "CompletionsReached", "Reached expected number of succeeded pods"),
                    ],
                }),
            }
        }
    }
}
