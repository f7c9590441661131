//! Kubernetes Events about the controllers' objects.

use kube::Resource;
use kube::runtime::events::{Event, EventType, Recorder};

/// Publishes an event about `object`; failing to is logged, never fatal.
pub async fn publish<K>(recorder: &Recorder, object: &K, warning: bool, reason: &str, note: String)
where
    K: Resource<DynamicType = ()>,
{
    let event = Event {
        type_: if warning { EventType::Warning } else { EventType::Normal },
        reason: reason.to_owned(),
        note: Some(note),
        action: "Reconcile".to_owned(),
        secondary: None,
    };
    if let Err(error) = recorder.publish(&event, &object.object_ref(&())).await {
        tracing::debug!(%error, "event not recorded");
    }
}
