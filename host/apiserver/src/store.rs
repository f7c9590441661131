//! Objects and their history: one global, monotonic revision (every
//! object's `resourceVersion`), a bounded event history for watches that
//! resume, and a broadcast of new events to live watches.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::broadcast;

use crate::journal::Journal;
use crate::registry::GroupResource;
use crate::status::ApiError;

/// How many past events a watch may resume from before it gets 410 Gone.
pub const DEFAULT_HISTORY: usize = 10_000;
/// How far a live watch may fall behind before it is ended (and re-lists).
const BROADCAST_CAPACITY: usize = 4_096;

/// Where an object lives. Cluster-scoped objects have an empty namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    pub resource: GroupResource,
    pub namespace: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Added,
    Modified,
    Deleted,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Added => "ADDED",
            EventKind::Modified => "MODIFIED",
            EventKind::Deleted => "DELETED",
        }
    }
}

/// A change, as watches see it. `object` carries the revision it was made at.
#[derive(Debug)]
pub struct Event {
    pub revision: u64,
    pub kind: EventKind,
    pub key: ObjectKey,
    pub object: Value,
    /// The object before a modification: selector watches compare both.
    pub previous: Option<Value>,
}

/// What a write decided to do with the object.
pub enum Change {
    /// Store this object (created or replaced).
    Put(Value),
    /// Remove the object.
    Delete,
    /// Leave everything as it is (a no-op update creates no revision).
    Keep,
}

/// The outcome of a committed write.
#[derive(Debug, PartialEq)]
pub enum Written {
    /// The object as stored, with its new `resourceVersion`.
    Stored(Value),
    /// The object as it was when removed, stamped with the removal's revision.
    Deleted(Value),
    /// Nothing changed; the current object, if any.
    Unchanged(Option<Value>),
}

pub struct Store {
    state: Mutex<State>,
    events: broadcast::Sender<Arc<Event>>,
    history: usize,
}

#[derive(Default)]
struct State {
    revision: u64,
    objects: BTreeMap<ObjectKey, Value>,
    history: VecDeque<Arc<Event>>,
    /// Where commits go first, when the store is kept on disk.
    journal: Option<Journal>,
}

impl Default for Store {
    fn default() -> Self {
        Self::with_history(DEFAULT_HISTORY)
    }
}

impl Store {
    /// A store whose watches may resume from the last `history` events.
    pub fn with_history(history: usize) -> Self {
        Self { state: Mutex::default(), events: broadcast::channel(BROADCAST_CAPACITY).0, history: history.max(1) }
    }

    /// A store kept in `dir`, holding what it held when last stopped.
    pub fn open(dir: &std::path::Path, history: usize) -> std::io::Result<Self> {
        let (journal, loaded) = Journal::open(dir)?;
        let store = Self::with_history(history);
        {
            let mut state = store.state();
            state.revision = loaded.revision;
            state.objects = loaded.objects.into_iter().collect();
            state.journal = Some(journal);
        }
        Ok(store)
    }

    /// Whether the store holds any object at all (a new cluster holds none).
    pub fn is_empty(&self) -> bool {
        self.state().objects.is_empty()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, key: &ObjectKey) -> Option<Value> {
        self.state().objects.get(key).cloned()
    }

    /// Objects of `resource` (in `namespace`, or all), sorted by namespace
    /// and name, with the revision they are current at.
    pub fn list(&self, resource: &GroupResource, namespace: Option<&str>) -> (Vec<Value>, u64) {
        let state = self.state();
        (state.items(resource, namespace), state.revision)
    }

    /// The keys of every object `predicate` accepts.
    pub fn find(&self, predicate: impl Fn(&Value) -> bool) -> Vec<ObjectKey> {
        self.state().objects.iter().filter(|(_, object)| predicate(object)).map(|(key, _)| key.clone()).collect()
    }

    /// Every key of `resource`, in any namespace.
    pub fn keys_of(&self, resource: &GroupResource) -> Vec<ObjectKey> {
        self.state().objects.keys().filter(|key| key.resource == *resource).cloned().collect()
    }

    /// Every key in `namespace`, of any resource.
    pub fn keys_in_namespace(&self, namespace: &str) -> Vec<ObjectKey> {
        self.state().objects.keys().filter(|key| key.namespace == namespace).cloned().collect()
    }

    /// Reads the object at `key` and writes what `decide` returns, atomically
    /// with respect to every other write. `decide` sees the current object
    /// and may refuse with an error; nothing is written then. A dry run
    /// decides but commits nothing.
    pub fn write(
        &self,
        key: &ObjectKey,
        dry_run: bool,
        decide: impl FnOnce(Option<&Value>) -> Result<Change, ApiError>,
    ) -> Result<Written, ApiError> {
        let mut state = self.state();
        let current = state.objects.get(key).cloned();
        let change = decide(current.as_ref())?;
        if dry_run {
            return Ok(match change {
                Change::Put(object) => Written::Stored(object),
                Change::Delete => Written::Deleted(current.unwrap_or(Value::Null)),
                Change::Keep => Written::Unchanged(current),
            });
        }
        let (kind, mut object) = match change {
            Change::Keep => return Ok(Written::Unchanged(current)),
            Change::Put(object) => (if current.is_some() { EventKind::Modified } else { EventKind::Added }, object),
            Change::Delete => match &current {
                Some(object) => (EventKind::Deleted, object.clone()),
                None => return Ok(Written::Unchanged(None)),
            },
        };
        let revision = state.revision + 1;
        object["metadata"]["resourceVersion"] = Value::String(revision.to_string());
        if let Some(journal) = &mut state.journal {
            let stored = (kind != EventKind::Deleted).then_some(&object);
            journal
                .append(revision, key, stored)
                .map_err(|error| ApiError::internal(format!("cannot record the change: {error}")))?;
        }
        // Memory changes only once the journal holds the change.
        state.revision = revision;
        if kind == EventKind::Deleted {
            state.objects.remove(key);
        } else {
            state.objects.insert(key.clone(), object.clone());
        }
        let previous = current.filter(|_| kind == EventKind::Modified);
        let event = Arc::new(Event { revision, kind, key: key.clone(), object: object.clone(), previous });
        if state.history.len() >= self.history {
            state.history.pop_front();
        }
        state.history.push_back(event.clone());
        // No receivers is fine: nobody is watching.
        let _ = self.events.send(event);
        let state = &mut *state;
        if let Some(journal) = state.journal.as_mut().filter(|journal| journal.wants_compaction())
            && let Err(error) = journal.compact(state.revision, state.objects.iter())
        {
            tracing::error!("cannot write a snapshot of the store: {error}");
        }
        Ok(if kind == EventKind::Deleted { Written::Deleted(object) } else { Written::Stored(object) })
    }

    /// Starts a watch after `revision`: the events already past it (from
    /// history) and a receiver for those to come, with nothing lost between.
    pub fn watch_from(&self, revision: u64) -> Result<(Vec<Arc<Event>>, broadcast::Receiver<Arc<Event>>), ApiError> {
        let state = self.state();
        let oldest_resumable = state.history.front().map_or(state.revision, |event| event.revision - 1);
        if revision < oldest_resumable {
            return Err(ApiError::expired(format!("too old resource version: {revision} ({oldest_resumable})")));
        }
        let past = state.history.iter().filter(|event| event.revision > revision).cloned().collect();
        Ok((past, self.events.subscribe()))
    }

    /// Every change from now on, of any resource.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.events.subscribe()
    }

    /// The current objects of `resource` and a receiver for every later
    /// event: a watch that starts with the present state.
    pub fn snapshot_and_watch(
        &self,
        resource: &GroupResource,
        namespace: Option<&str>,
    ) -> (Vec<Value>, u64, broadcast::Receiver<Arc<Event>>) {
        let state = self.state();
        let receiver = self.events.subscribe();
        (state.items(resource, namespace), state.revision, receiver)
    }
}

impl State {
    fn items(&self, resource: &GroupResource, namespace: Option<&str>) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|(key, _)| key.resource == *resource && namespace.is_none_or(|ns| key.namespace == ns))
            .map(|(_, object)| object.clone())
            .collect()
    }
}

/// A ConfigMap key in `default`, for tests.
#[cfg(test)]
pub(crate) fn test_key(name: &str) -> ObjectKey {
    ObjectKey {
        resource: GroupResource { group: String::new(), resource: "configmaps".into() },
        namespace: "default".into(),
        name: name.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use super::test_key as key;

    #[test]
    fn revisions_grow_across_objects_and_stamp_them() {
        let store = Store::default();
        let first = store.write(&key("a"), false, |_| Ok(Change::Put(json!({"metadata": {}})))).unwrap();
        let second = store.write(&key("b"), false, |_| Ok(Change::Put(json!({"metadata": {}})))).unwrap();
        assert_eq!(first, Written::Stored(json!({"metadata": {"resourceVersion": "1"}})));
        assert_eq!(second, Written::Stored(json!({"metadata": {"resourceVersion": "2"}})));
        assert_eq!(store.list(&key("a").resource, None).1, 2);
    }

    #[test]
    fn a_refused_or_dry_write_changes_nothing() {
        let store = Store::default();
        let refused = store.write(&key("a"), false, |_| Err(ApiError::bad_request("no")));
        assert!(refused.is_err());
        store.write(&key("a"), true, |_| Ok(Change::Put(json!({"metadata": {}})))).unwrap();
        assert_eq!(store.list(&key("a").resource, None).1, 0);
        assert!(store.get(&key("a")).is_none());
    }

    #[test]
    fn a_watch_resumes_from_history_or_expires() {
        let store = Store::default();
        for name in ["a", "b", "c"] {
            store.write(&key(name), false, |_| Ok(Change::Put(json!({"metadata": {}})))).unwrap();
        }
        let (past, _) = store.watch_from(1).unwrap();
        assert_eq!(past.iter().map(|event| event.revision).collect::<Vec<_>>(), [2, 3]);
        for index in 0..DEFAULT_HISTORY {
            store.write(&key(&format!("n{index}")), false, |_| Ok(Change::Put(json!({"metadata": {}})))).unwrap();
        }
        assert_eq!(store.watch_from(1).unwrap_err().code, 410);
    }
}
