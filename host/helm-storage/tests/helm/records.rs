//! The JSON shapes of Helm 3 and Helm 4 records, from their Go struct tags:
//! what each writes reads and writes back unchanged, zero values and nulls
//! as Go treats them.

use serde_json::{Value, json};
use weir_helm_storage::{
    ApplyMethod, Chart, Dependency, File, Hook, HookDeletePolicy, HookEvent, HookOutputLogPolicy, HookPhase, Info,
    Lock, Metadata, Release, Status, Timestamp,
};

/// A record as Helm 3 writes it: zero times as `""`, a hook's `last_run`
/// with all three fields, nil chart parts as `null`, a local UTC offset.
pub fn helm3_record() -> Value {
    json!({
        "name": "web",
        "info": {
            "first_deployed": "2025-10-08T12:00:00.123456789+02:00",
            "last_deployed": "2025-10-08T12:30:00.5+02:00",
            "deleted": "",
            "description": "Upgrade complete",
            "status": "deployed",
            "notes": "Visit http://web.local"
        },
        "chart": {
            "metadata": {
                "name": "web", "version": "0.1.0", "description": "A Helm chart for Kubernetes",
                "apiVersion": "v2", "appVersion": "1.16.0", "type": "application"
            },
            "lock": null,
            "templates": [{"name": "templates/service.yaml", "data": "a2luZDogU2VydmljZQo="}],
            "values": {"replicaCount": 1, "image": {"tag": ""}},
            "schema": null,
            "files": [{"name": ".helmignore", "data": ""}]
        },
        "config": {"replicaCount": 2},
        "manifest": "---\n# Source: web/templates/service.yaml\nkind: Service",
        "hooks": [{
            "name": "web-test", "kind": "Pod", "path": "web/templates/tests/test.yaml", "manifest": "kind: Pod",
            "events": ["test"],
            "last_run": {"started_at": "", "completed_at": "", "phase": ""}
        }],
        "version": 2,
        "namespace": "default"
    })
}

/// A record as Helm 4 writes it: zero times left out, `rollback_revision`,
/// `apply_method`, the mod-times (`schemamodtime` written even when zero),
/// and a hook with output-log policies that ran.
fn helm4_record() -> Value {
    json!({
        "name": "web",
        "info": {
            "first_deployed": "2025-10-08T12:00:00Z",
            "last_deployed": "2025-10-08T13:00:00Z",
            "description": "Rollback to 2",
            "status": "deployed",
            "rollback_revision": 2
        },
        "chart": {
            "metadata": {"name": "web", "version": "0.1.0", "apiVersion": "v2", "deprecated": true},
            "lock": {
                "generated": "2025-09-30T00:00:00Z", "digest": "sha256:abc",
                "dependencies": [{"name": "common", "version": "1.0.0", "repository": "oci://charts", "enabled": true}]
            },
            "templates": [{"name": "templates/job.yaml", "data": "a2luZDogSm9i", "modtime": "2025-10-01T00:00:00Z"}],
            "values": null,
            "schema": "e30=",
            "schemamodtime": "0001-01-01T00:00:00Z",
            "files": null,
            "modtime": "2025-10-01T00:00:00Z"
        },
        "hooks": [{
            "name": "web-migrate", "kind": "Job", "path": "web/templates/job.yaml", "manifest": "kind: Job",
            "events": ["pre-install", "pre-upgrade"],
            "last_run": {"started_at": "2025-10-08T12:59:00Z", "completed_at": "2025-10-08T12:59:30.25Z", "phase": "Succeeded"},
            "weight": -5,
            "delete_policies": ["hook-succeeded", "some-future-policy"],
            "output_log_policies": ["hook-failed"]
        }],
        "version": 3,
        "namespace": "apps",
        "apply_method": "ssa"
    })
}

fn time(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn a_helm3_record_reads_and_writes_back_unchanged() {
    let release: Release = serde_json::from_value(helm3_record()).unwrap();
    assert_eq!(serde_json::to_value(&release).unwrap(), helm3_record());
    assert_eq!((release.name.as_str(), release.version, release.namespace.as_str()), ("web", 2, "default"));
    let info = &release.info;
    assert_eq!(info.first_deployed, Timestamp::with_offset(1_759_917_600, 123_456_789, 7200));
    assert_eq!((info.deleted, &info.status), (Some(Timestamp::ZERO), &Status::DEPLOYED));
    let chart = release.chart.as_ref().unwrap();
    assert_eq!(
        chart.templates,
        [File { name: "templates/service.yaml".into(), data: b"kind: Service\n".to_vec(), modtime: None }]
    );
    assert_eq!((chart.lock.as_ref(), chart.schema.as_ref(), chart.schemamodtime), (None, None, None));
    assert_eq!(chart.files[0].data, b"");
    assert_eq!(release.config["replicaCount"], 2);
    let hook = &release.hooks[0];
    assert_eq!((&hook.events[..], &hook.last_run.phase), (&[HookEvent::TEST][..], &HookPhase::default()));
    assert_eq!(hook.last_run.completed_at, Some(Timestamp::ZERO));
    assert!(release.apply_method.is_empty());
}

#[test]
fn a_helm4_record_reads_and_writes_back_unchanged() {
    let release: Release = serde_json::from_value(helm4_record()).unwrap();
    assert_eq!(serde_json::to_value(&release).unwrap(), helm4_record());
    assert_eq!(release.apply_method, ApplyMethod::SERVER_SIDE);
    assert_eq!((release.info.rollback_revision, release.info.deleted), (2, None));
    let chart = release.chart.as_ref().unwrap();
    assert_eq!((chart.schemamodtime, chart.modtime), (Some(Timestamp::ZERO), Some(time("2025-10-01T00:00:00Z"))));
    assert_eq!(chart.schema.as_deref(), Some(&b"{}"[..]));
    assert!(chart.metadata.as_ref().unwrap().deprecated);
    assert_eq!(chart.templates[0].modtime, Some(time("2025-10-01T00:00:00Z")));
    let lock = chart.lock.as_ref().unwrap();
    assert!(lock.dependencies.as_ref().unwrap()[0].enabled);
    let hook = &release.hooks[0];
    assert_eq!((hook.weight, &hook.last_run.phase), (-5, &HookPhase::SUCCEEDED));
    assert_eq!(hook.delete_policies, [HookDeletePolicy::HOOK_SUCCEEDED, HookDeletePolicy::new("some-future-policy")]);
    assert_eq!(hook.output_log_policies, [HookOutputLogPolicy::HOOK_FAILED]);
    assert_eq!(hook.last_run.completed_at.unwrap().subsec_nanos(), 250_000_000);
}

#[test]
fn zero_values_are_written_as_go_writes_them() {
    // Each Go struct's zero value, marshalled: `omitempty` fields gone, the rest as zero or null.
    assert_eq!(serde_json::to_value(Release::default()).unwrap(), json!({"info": {}}));
    assert_eq!(
        serde_json::to_value(Chart::default()).unwrap(),
        json!({"metadata": null, "lock": null, "templates": null, "values": null, "schema": null, "files": null})
    );
    assert_eq!(serde_json::to_value(Metadata::default()).unwrap(), json!({}));
    assert_eq!(serde_json::to_value(Hook::default()).unwrap(), json!({"last_run": {"phase": ""}}));
    assert_eq!(serde_json::to_value(Dependency::default()).unwrap(), json!({"name": "", "repository": ""}));
    assert_eq!(
        serde_json::to_value(Lock::default()).unwrap(),
        json!({"generated": "0001-01-01T00:00:00Z", "digest": "", "dependencies": null})
    );
    assert_eq!(serde_json::to_value(File::default()).unwrap(), json!({"name": "", "data": ""}));
    // Helm 3's zero release times are "", a zero `omitzero` mod-time is left out, a zero schema mod-time is not.
    let info = Info { deleted: Some(Timestamp::ZERO), ..Info::default() };
    assert_eq!(serde_json::to_value(info).unwrap(), json!({"deleted": ""}));
    let file = File { modtime: Some(Timestamp::ZERO), ..File::default() };
    assert_eq!(serde_json::to_value(file).unwrap(), json!({"name": "", "data": ""}));
    let chart = Chart { schemamodtime: Some(Timestamp::ZERO), ..Chart::default() };
    assert_eq!(serde_json::to_value(chart).unwrap()["schemamodtime"], "0001-01-01T00:00:00Z");
}

#[test]
fn null_and_unknown_fields_read_as_go_reads_them() {
    let release: Release = serde_json::from_value(json!({
        "name": null, "config": null, "hooks": null, "version": null, "manifest": null,
        "info": {"status": null, "description": null, "first_deployed": null, "resources": null},
        "chart": {"metadata": {"keywords": null, "deprecated": null}, "templates": null, "files": null},
        "some_field_from_a_later_helm": {"x": 1}
    }))
    .unwrap();
    let expected = Release {
        chart: Some(Chart { metadata: Some(Metadata::default()), ..Chart::default() }),
        ..Release::default()
    };
    assert_eq!(release, expected);
    // A status Helm does not define yet is kept as it was written.
    let odd: Release = serde_json::from_value(json!({"info": {"status": "exploded"}})).unwrap();
    assert_eq!(odd.info.status, Status::new("exploded"));
    assert!(!odd.info.status.is_pending() && Status::PENDING_ROLLBACK.is_pending());
    assert_eq!(serde_json::to_value(&odd).unwrap(), json!({"info": {"status": "exploded"}}));
}
