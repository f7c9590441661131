//! Keeping the store on disk: every committed change is appended to a
//! journal before it is applied in memory, and the journal is folded into a
//! snapshot now and then. A write(2) either happens whole or not at all when
//! the process is killed, and snapshots are renamed into place, so a
//! `kill -9` at any moment leaves a state that reloads to the last commit.
//! (Power loss may lose writes the kernel had not flushed yet.)

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::registry::GroupResource;
use crate::store::ObjectKey;

const SNAPSHOT: &str = "snapshot.json";
const JOURNAL: &str = "journal.jsonl";
/// Journal entries after which the journal is folded into a new snapshot.
const COMPACT_AFTER: usize = 10_000;

pub struct Journal {
    dir: PathBuf,
    file: File,
    entries: usize,
}

/// What a data directory held: the revision and the objects.
pub struct Loaded {
    pub revision: u64,
    pub objects: Vec<(ObjectKey, Value)>,
}

fn key_json(key: &ObjectKey) -> Value {
    json!({ "group": key.resource.group, "resource": key.resource.resource, "namespace": key.namespace, "name": key.name })
}

fn key_of(value: &Value) -> Option<ObjectKey> {
    let text = |field: &str| value[field].as_str().map(str::to_owned);
    Some(ObjectKey {
        resource: GroupResource { group: text("group")?, resource: text("resource")? },
        namespace: text("namespace")?,
        name: text("name")?,
    })
}

/// Files only the server's user may read: they hold Secrets.
fn private_file(path: &Path, append: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).mode(0o600);
    if append {
        options.append(true)
    } else {
        options.write(true).truncate(true)
    };
    options.open(path)
}

impl Journal {
    /// Opens (creating) `dir` and reads back what it holds.
    pub fn open(dir: &Path) -> std::io::Result<(Self, Loaded)> {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        let mut objects = std::collections::BTreeMap::new();
        let mut revision = 0;
        if let Ok(text) = std::fs::read_to_string(dir.join(SNAPSHOT)) {
            let snapshot: Value = serde_json::from_str(&text)
                .map_err(|error| std::io::Error::other(format!("{}: {error}", dir.join(SNAPSHOT).display())))?;
            revision = snapshot["revision"].as_u64().unwrap_or(0);
            for entry in snapshot["objects"].as_array().into_iter().flatten() {
                if let Some(key) = key_of(&entry["key"]) {
                    objects.insert(key, entry["object"].clone());
                }
            }
        }
        let mut entries = 0;
        let journal_path = dir.join(JOURNAL);
        let bytes = std::fs::read(&journal_path).unwrap_or_default();
        let mut valid = 0;
        for line in bytes.split_inclusive(|byte| *byte == b'\n') {
            // Only the last line can be incomplete (a write cut short): it was
            // never committed, and is cut off so new entries follow whole ones.
            let Some(entry) = line.strip_suffix(b"\n").and_then(|line| serde_json::from_slice::<Value>(line).ok())
            else {
                break;
            };
            valid += line.len();
            entries += 1;
            let entry_revision = entry["revision"].as_u64().unwrap_or(0);
            let Some(key) = key_of(&entry["key"]) else { continue };
            if entry_revision <= revision {
                continue;
            }
            revision = entry_revision;
            match entry.get("object") {
                Some(object) => objects.insert(key, object.clone()),
                None => objects.remove(&key),
            };
        }
        let file = private_file(&journal_path, true)?;
        if (valid as u64) < file.metadata()?.len() {
            file.set_len(valid as u64)?;
        }
        let journal = Self { dir: dir.to_owned(), file, entries };
        Ok((journal, Loaded { revision, objects: objects.into_iter().collect() }))
    }

    /// Records one committed change; `object` is `None` for a removal.
    pub fn append(&mut self, revision: u64, key: &ObjectKey, object: Option<&Value>) -> std::io::Result<()> {
        let mut entry = json!({ "revision": revision, "key": key_json(key) });
        if let Some(object) = object {
            entry["object"] = object.clone();
        }
        let mut line = serde_json::to_vec(&entry)?;
        line.push(b'\n');
        // One write call per entry: it lands whole or not at all.
        self.file.write_all(&line)?;
        self.entries += 1;
        Ok(())
    }

    /// Whether the journal has grown enough to be folded into a snapshot.
    pub fn wants_compaction(&self) -> bool {
        self.entries >= COMPACT_AFTER
    }

    /// Writes a snapshot of the whole state and starts an empty journal.
    pub fn compact<'a>(
        &mut self,
        revision: u64,
        objects: impl Iterator<Item = (&'a ObjectKey, &'a Value)>,
    ) -> std::io::Result<()> {
        let entries: Vec<Value> =
            objects.map(|(key, object)| json!({ "key": key_json(key), "object": object })).collect();
        let snapshot = json!({ "revision": revision, "objects": entries });
        let temporary = self.dir.join(format!("{SNAPSHOT}.tmp"));
        let mut file = private_file(&temporary, false)?;
        file.write_all(&serde_json::to_vec(&snapshot)?)?;
        file.sync_all()?;
        std::fs::rename(&temporary, self.dir.join(SNAPSHOT))?;
        File::open(&self.dir)?.sync_all()?;
        // The snapshot covers every journal entry: a crash before the truncation
        // merely replays entries the snapshot already holds (they are skipped by revision).
        self.file.set_len(0)?;
        self.entries = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_key as key;

    #[test]
    fn replays_snapshot_then_journal_and_ignores_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let (mut journal, loaded) = Journal::open(dir.path()).unwrap();
        assert_eq!((loaded.revision, loaded.objects.len()), (0, 0));
        journal.append(1, &key("a"), Some(&json!({"v": 1}))).unwrap();
        journal.append(2, &key("b"), Some(&json!({"v": 2}))).unwrap();
        let a = json!({"v": 1});
        let b = json!({"v": 2});
        journal.compact(2, [(&key("a"), &a), (&key("b"), &b)].into_iter()).unwrap();
        journal.append(3, &key("a"), None).unwrap();
        journal.append(4, &key("c"), Some(&json!({"v": 4}))).unwrap();
        drop(journal);
        let mut torn = OpenOptions::new().append(true).open(dir.path().join(JOURNAL)).unwrap();
        torn.write_all(br#"{"revision":5,"key":{"gro"#).unwrap();
        let (mut journal, loaded) = Journal::open(dir.path()).unwrap();
        assert_eq!(loaded.revision, 4);
        let names: Vec<&str> = loaded.objects.iter().map(|(key, _)| key.name.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
        // New entries follow whole ones: the torn tail is gone.
        journal.append(5, &key("d"), Some(&json!({"v": 5}))).unwrap();
        drop(journal);
        let (_, loaded) = Journal::open(dir.path()).unwrap();
        assert_eq!(loaded.revision, 5);
        assert_eq!(loaded.objects.len(), 3);
    }
}
