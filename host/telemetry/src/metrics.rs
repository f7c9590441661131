//! The operator's metrics in Prometheus' text format, named as Flux's controllers name theirs,
//! so Flux's dashboards and alerts work on weir unchanged:
//!
//! - `gotk_reconcile_duration_seconds{kind,name,namespace}`: how long each object's
//!   reconciliations take (Flux's histogram and buckets);
//! - `gotk_reconcile_condition{kind,name,namespace,type,status}`: 1 for each condition's current
//!   status, 0 for the others, `Deleted` once the object is gone (Flux's, deprecated there but
//!   still what many alerts use);
//! - `gotk_resource_info{customresource_group,customresource_kind,customresource_version,exported_namespace,name,ready,suspended,revision}`:
//!   what Flux has kube-state-metrics derive from its objects, given here directly;
//! - `controller_runtime_reconcile_total{controller,result}`,
//!   `controller_runtime_reconcile_errors_total{controller}`,
//!   `controller_runtime_reconcile_time_seconds{controller}` and
//!   `controller_runtime_active_workers{controller}`, as controller-runtime counts them;
//! - `weir_plugin_calls_total{plugin,world,tenant,result}`,
//!   `weir_plugin_call_duration_seconds{plugin,world,tenant}` and
//!   `weir_plugin_call_memory_bytes{plugin,world,tenant}` (each call's peak linear memory);
//! - `process_*` (resident memory, CPU, open files) of the process.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE as CONTENT_TYPE_HEADER, HeaderValue};
use hyper::{Response, StatusCode};
use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Every family, registered once per process.
struct Families {
    registry: Registry,
    reconcile_duration: HistogramVec,
    reconcile_condition: GaugeVec,
    resource_info: GaugeVec,
    /// Each object's current `gotk_resource_info` label values (kind, namespace, name → values),
    /// to remove the series when its state changes.
    resource_info_series: Mutex<HashMap<(String, String, String), Vec<String>>>,
    reconcile_total: IntCounterVec,
    reconcile_errors: IntCounterVec,
    reconcile_time: HistogramVec,
    active_workers: IntGaugeVec,
    plugin_calls: IntCounterVec,
    plugin_duration: HistogramVec,
    plugin_memory: HistogramVec,
}

/// controller-runtime's buckets for `controller_runtime_reconcile_time_seconds`.
const RECONCILE_TIME_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5,
    1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0,
];

/// The statuses `gotk_reconcile_condition` reports, one series each.
const CONDITION_STATUSES: &[&str] = &["True", "False", "Unknown", "Deleted"];

fn families() -> &'static Families {
    static FAMILIES: OnceLock<Families> = OnceLock::new();
    FAMILIES.get_or_init(|| {
        let registry = Registry::new();
        // Metric names and labels are constants: registering them cannot fail.
        let histogram = |name: &str, help: &str, buckets: Vec<f64>, labels: &[&str]| {
            let family = HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets), labels).unwrap();
            registry.register(Box::new(family.clone())).unwrap();
            family
        };
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let family = IntCounterVec::new(Opts::new(name, help), labels).unwrap();
            registry.register(Box::new(family.clone())).unwrap();
            family
        };
        let gauge = |name: &str, help: &str, labels: &[&str]| {
            let family = GaugeVec::new(Opts::new(name, help), labels).unwrap();
            registry.register(Box::new(family.clone())).unwrap();
            family
        };
        let object = ["kind", "name", "namespace"];
        let plugin = ["plugin", "world", "tenant"];
        let families = Families {
            reconcile_duration: histogram(
                "gotk_reconcile_duration_seconds",
                "The duration in seconds of a GitOps Toolkit resource reconciliation.",
                prometheus::exponential_buckets(10e-9, 10.0, 10).unwrap(),
                &object,
            ),
            reconcile_condition: gauge(
                "gotk_reconcile_condition",
                "The current condition status of a GitOps Toolkit resource reconciliation.",
                &["kind", "name", "namespace", "type", "status"],
            ),
            resource_info: gauge(
                "gotk_resource_info",
                "The current state of a GitOps Toolkit resource.",
                &[
                    "customresource_group",
                    "customresource_kind",
                    "customresource_version",
                    "exported_namespace",
                    "name",
                    "ready",
                    "suspended",
                    "revision",
                ],
            ),
            reconcile_total: counter(
                "controller_runtime_reconcile_total",
                "Total number of reconciliations per controller",
                &["controller", "result"],
            ),
            reconcile_errors: counter(
                "controller_runtime_reconcile_errors_total",
                "Total number of reconciliation errors per controller",
                &["controller"],
            ),
            reconcile_time: histogram(
                "controller_runtime_reconcile_time_seconds",
                "Length of time per reconciliation per controller",
                RECONCILE_TIME_BUCKETS.to_vec(),
                &["controller"],
            ),
            active_workers: {
                let family = IntGaugeVec::new(
                    Opts::new("controller_runtime_active_workers", "Number of currently used workers per controller"),
                    &["controller"],
                )
                .unwrap();
                registry.register(Box::new(family.clone())).unwrap();
                family
            },
            plugin_calls: counter(
                "weir_plugin_calls_total",
                "Calls into WebAssembly plugins, by outcome (returned, trap, timeout, memory-limit, setup).",
                &["plugin", "world", "tenant", "result"],
            ),
            plugin_duration: histogram(
                "weir_plugin_call_duration_seconds",
                "Wall-clock time of a plugin call, instantiation included.",
                RECONCILE_TIME_BUCKETS.to_vec(),
                &plugin,
            ),
            plugin_memory: histogram(
                "weir_plugin_call_memory_bytes",
                "Peak linear memory of a plugin call.",
                prometheus::exponential_buckets(65_536.0, 2.0, 16).unwrap(),
                &plugin,
            ),
            resource_info_series: Mutex::default(),
            registry,
        };
        #[cfg(target_os = "linux")]
        {
            let process = prometheus::process_collector::ProcessCollector::for_self();
            families.registry.register(Box::new(process)).unwrap();
        }
        families
    })
}

/// One Flux object, as metrics label it.
#[derive(Clone, Copy, Debug)]
pub struct ObjectRef<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
}

/// How a reconciliation ended, in controller-runtime's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReconcileResult {
    Success,
    /// Ended, to run again after a delay (controller-runtime's `requeue_after`).
    RequeueAfter,
    Error,
}

/// What one reconciliation left on its object.
#[derive(Debug)]
pub struct Reconciled<'a> {
    pub object: ObjectRef<'a>,
    pub controller: &'a str,
    pub duration: Duration,
    pub result: ReconcileResult,
    /// `(type, status)` of every condition.
    pub conditions: &'a [(&'a str, &'a str)],
    pub suspended: bool,
    pub revision: &'a str,
}

/// A reconciliation's figures.
pub fn record_reconcile(reconciled: &Reconciled<'_>) {
    let families = families();
    let object = reconciled.object;
    let seconds = reconciled.duration.as_secs_f64();
    families.reconcile_duration.with_label_values(&[object.kind, object.name, object.namespace]).observe(seconds);
    families.reconcile_time.with_label_values(&[reconciled.controller]).observe(seconds);
    let result = match reconciled.result {
        ReconcileResult::Success => "success",
        ReconcileResult::RequeueAfter => "requeue_after",
        ReconcileResult::Error => "error",
    };
    families.reconcile_total.with_label_values(&[reconciled.controller, result]).inc();
    if reconciled.result == ReconcileResult::Error {
        families.reconcile_errors.with_label_values(&[reconciled.controller]).inc();
    }
    for (type_, current) in reconciled.conditions {
        for status in CONDITION_STATUSES {
            let value = if status == current { 1.0 } else { 0.0 };
            families
                .reconcile_condition
                .with_label_values(&[object.kind, object.name, object.namespace, type_, status])
                .set(value);
        }
    }
    let ready =
        reconciled.conditions.iter().find(|(type_, _)| *type_ == "Ready").map_or("Unknown", |(_, status)| *status);
    forget_resource_info(object);
    let suspended = if reconciled.suspended { "true" } else { "false" };
    let values = [
        object.group,
        object.kind,
        object.version,
        object.namespace,
        object.name,
        ready,
        suspended,
        reconciled.revision,
    ];
    families.resource_info.with_label_values(&values).set(1.0);
    let key = (object.kind.to_owned(), object.namespace.to_owned(), object.name.to_owned());
    let values = values.iter().map(|value| (*value).to_owned()).collect();
    families.resource_info_series.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(key, values);
}

/// A deleted object: its conditions report `Deleted`, its info series goes.
pub fn record_deleted(object: ObjectRef<'_>, condition_types: &[&str]) {
    let families = families();
    for type_ in condition_types {
        for status in CONDITION_STATUSES {
            let value = if *status == "Deleted" { 1.0 } else { 0.0 };
            families
                .reconcile_condition
                .with_label_values(&[object.kind, object.name, object.namespace, type_, status])
                .set(value);
        }
    }
    forget_resource_info(object);
}

/// Removes the object's `gotk_resource_info` series, whatever its state labels were.
fn forget_resource_info(object: ObjectRef<'_>) {
    let families = families();
    let key = (object.kind.to_owned(), object.namespace.to_owned(), object.name.to_owned());
    let previous = families.resource_info_series.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&key);
    if let Some(values) = previous {
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        let _ = families.resource_info.remove_label_values(&values);
    }
}

/// Counts a reconciliation running in `controller` while the guard lives.
pub fn active_worker(controller: &str) -> ActiveWorker {
    let gauge = families().active_workers.with_label_values(&[controller]);
    gauge.inc();
    ActiveWorker(gauge)
}

/// See [`active_worker`].
pub struct ActiveWorker(prometheus::IntGauge);

impl Drop for ActiveWorker {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// One plugin call.
#[derive(Debug)]
pub struct PluginCall<'a> {
    pub plugin: &'a str,
    pub world: &'a str,
    pub tenant: &'a str,
    /// `returned` (with a result, or the plugin's own error), `trap`, `timeout`, `memory-limit`,
    /// `setup`.
    pub result: &'a str,
    pub duration: Duration,
    pub peak_memory: u64,
}

pub fn record_plugin_call(call: &PluginCall<'_>) {
    let families = families();
    let labels = [call.plugin, call.world, call.tenant];
    families.plugin_calls.with_label_values(&[call.plugin, call.world, call.tenant, call.result]).inc();
    families.plugin_duration.with_label_values(&labels).observe(call.duration.as_secs_f64());
    families.plugin_memory.with_label_values(&labels).observe(call.peak_memory as f64);
}

/// Every family in Prometheus' text exposition format (0.0.4), as `/metrics` serves it.
pub fn render() -> String {
    let mut buffer = Vec::new();
    // Encoding into memory fails only on invalid families, which registration rules out.
    let _ = TextEncoder::new().encode(&families().registry.gather(), &mut buffer);
    String::from_utf8(buffer).unwrap_or_default()
}

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Serves `/metrics` on `listener` until dropped.
pub async fn serve(listener: tokio::net::TcpListener) {
    crate::http::serve(listener, |request| {
        if request.uri().path() != "/metrics" {
            let mut response = Response::new(Full::new(Bytes::from_static(b"not found")));
            *response.status_mut() = StatusCode::NOT_FOUND;
            return response;
        }
        let mut response = Response::new(Full::new(Bytes::from(render())));
        response.headers_mut().insert(CONTENT_TYPE_HEADER, HeaderValue::from_static(CONTENT_TYPE));
        response
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn metrics_are_served_in_prometheus_text_format() {
        let object = ObjectRef {
            group: "kustomize.toolkit.fluxcd.io",
            version: "v1",
            kind: "Kustomization",
            namespace: "apps",
            name: "podinfo",
        };
        let reconciled = |ready: &'static str, revision: &'static str| Reconciled {
            object,
            controller: "kustomization",
            duration: Duration::from_millis(120),
            result: if ready == "True" { ReconcileResult::RequeueAfter } else { ReconcileResult::Error },
            conditions: if ready == "True" { &[("Ready", "True")] } else { &[("Ready", "False")] },
            suspended: false,
            revision,
        };
        record_reconcile(&reconciled("False", "main@sha1:1"));
        record_reconcile(&reconciled("True", "main@sha1:2"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(serve(listener));
        let response = crate::http::tests::get(address, "/metrics").await;
        assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
        assert!(response.contains("content-type: text/plain; version=0.0.4"), "{response}");
        let series = |prefix: &str| response.lines().filter(|line| line.starts_with(prefix)).collect::<Vec<_>>();
        assert_eq!(
            series("gotk_reconcile_condition{"),
            [
                r#"gotk_reconcile_condition{kind="Kustomization",name="podinfo",namespace="apps",status="Deleted",type="Ready"} 0"#,
                r#"gotk_reconcile_condition{kind="Kustomization",name="podinfo",namespace="apps",status="False",type="Ready"} 0"#,
                r#"gotk_reconcile_condition{kind="Kustomization",name="podinfo",namespace="apps",status="True",type="Ready"} 1"#,
                r#"gotk_reconcile_condition{kind="Kustomization",name="podinfo",namespace="apps",status="Unknown",type="Ready"} 0"#,
            ]
        );
        // Only the current state of an object is a series.
        assert_eq!(
            series("gotk_resource_info{"),
            [
                r#"gotk_resource_info{customresource_group="kustomize.toolkit.fluxcd.io",customresource_kind="Kustomization",customresource_version="v1",exported_namespace="apps",name="podinfo",ready="True",revision="main@sha1:2",suspended="false"} 1"#
            ]
        );
        assert!(
            response.contains(r#"controller_runtime_reconcile_total{controller="kustomization",result="error"} 1"#)
        );
        assert!(response.contains(r#"controller_runtime_reconcile_errors_total{controller="kustomization"} 1"#));
        assert!(response.contains(
            r#"gotk_reconcile_duration_seconds_count{kind="Kustomization",name="podinfo",namespace="apps"} 2"#
        ));
        assert!(response.contains(
            r#"gotk_reconcile_duration_seconds_bucket{kind="Kustomization",name="podinfo",namespace="apps",le="1"} 2"#
        ));
        assert!(response.contains("process_resident_memory_bytes "), "{response}");

        record_deleted(object, &["Ready"]);
        let response = crate::http::tests::get(address, "/metrics").await;
        assert!(response.contains(r#"status="Deleted",type="Ready"} 1"#));
        assert!(!response.contains("gotk_resource_info{"));
        assert!(crate::http::tests::get(address, "/other").await.starts_with("HTTP/1.1 404"));
    }
}
