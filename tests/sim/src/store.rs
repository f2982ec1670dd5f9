//! The object store: every simulated object as JSON, a monotonic resourceVersion, an event
//! history for watch resume (410 once compacted), finalizers and owner-reference cleanup.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{Map, Value, json};
use tokio::sync::broadcast;

pub use crate::error::ApiError;

/// A resource: group ("" = core), version, lowercase plural.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvr {
    pub group: String,
    pub version: String,
    pub plural: String,
}

impl Gvr {
    pub fn new(group: &str, version: &str, plural: &str) -> Self {
        Gvr {
            group: group.to_string(),
            version: version.to_string(),
            plural: plural.to_string(),
        }
    }

    /// `v1` for core, `group/version` otherwise.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl std::fmt::Display for Gvr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.api_version(), self.plural)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    /// The watch event type string (`ADDED`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change to one object. `object` is the object after the change (for Deleted: its last state,
/// carrying the deletion's resourceVersion).
#[derive(Clone, Debug)]
pub struct Event {
    pub kind: EventType,
    pub gvr: Gvr,
    pub object: Value,
    pub resource_version: u64,
}

/// (group, plural): the storage identity of a kind, shared by its served versions.
type KindKey = (String, String);
/// (namespace or "", name)
type ObjKey = (String, String);

struct Inner {
    rv: u64,
    kinds: HashMap<KindKey, BTreeMap<ObjKey, Value>>,
    history: VecDeque<Event>,
    /// Watches from a resourceVersion below this get 410 Gone.
    compacted: u64,
    /// owner uid -> dependents, for garbage collection.
    dependents: HashMap<String, BTreeSet<(KindKey, ObjKey)>>,
}

/// The shared store. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<RwLock<Inner>>,
    tx: broadcast::Sender<Event>,
    history_cap: usize,
    seq: Arc<AtomicU64>,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

/// `2026-11-26T10:00:00Z`: RFC 3339, second precision, as Kubernetes writes timestamps.
/// From the simulator's clock, so a fixed start (`--start-time`) reaches every object.
pub fn now_rfc3339() -> String {
    crate::clock::now_rfc3339()
}

fn meta(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata")?.as_object()
}

fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    meta(obj)
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = json!({});
    }
    let root = obj.as_object_mut().expect("made an object above");
    let m = root.entry("metadata").or_insert_with(|| json!({}));
    if !m.is_object() {
        *m = json!({});
    }
    m.as_object_mut().expect("made an object above")
}

fn finalizers_empty(obj: &Value) -> bool {
    meta(obj)
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array)
        .is_none_or(|a| a.is_empty())
}

fn is_terminating(obj: &Value) -> bool {
    meta(obj)
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some_and(|v| !v.is_null())
}

fn owner_uids(obj: &Value) -> Vec<String> {
    meta(obj)
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("uid")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Everything but metadata and status: a change here bumps `metadata.generation`.
fn spec_part(obj: &Value) -> Value {
    match obj.as_object() {
        Some(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "metadata" | "status" | "apiVersion" | "kind")
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        None => Value::Null,
    }
}

/// Equal apart from resourceVersion and managedFields: such an update is a no-op, as in a real apiserver.
fn same_content(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
            m.remove("managedFields");
        }
        v
    };
    strip(a) == strip(b)
}

/// Set apiVersion for the version a client asked for.
pub fn set_api_version(obj: &mut Value, gvr: &Gvr) {
    if let Some(m) = obj.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(gvr.api_version()));
    }
}

fn kind_key(gvr: &Gvr) -> KindKey {
    (gvr.group.clone(), gvr.plural.clone())
}

fn obj_key(obj: &Value) -> ObjKey {
    (
        meta_str(obj, "namespace").to_string(),
        meta_str(obj, "name").to_string(),
    )
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl Store {
    pub fn new() -> Self {
        Store::with_history(50_000)
    }

    /// A store keeping at most `cap` events for watch resume.
    pub fn with_history(cap: usize) -> Self {
        let (tx, _) = broadcast::channel(16_384);
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Store {
            inner: Arc::new(RwLock::new(Inner {
                rv: 1,
                kinds: HashMap::new(),
                history: VecDeque::new(),
                compacted: 0,
                dependents: HashMap::new(),
            })),
            tx,
            history_cap: cap.max(1),
            seq: Arc::new(AtomicU64::new(splitmix(seed))),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    fn next_random(&self) -> u64 {
        splitmix(self.seq.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed))
    }

    /// A random UUID-shaped string.
    pub fn new_uid(&self) -> String {
        let a = self.next_random();
        let b = self.next_random();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// The current (latest) resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.read().rv
    }

    pub fn get(&self, gvr: &Gvr, ns: Option<&str>, name: &str) -> Option<Value> {
        let inner = self.read();
        let mut obj = inner
            .kinds
            .get(&kind_key(gvr))?
            .get(&(ns.unwrap_or("").to_string(), name.to_string()))?
            .clone();
        set_api_version(&mut obj, gvr);
        Some(obj)
    }

    /// All objects of a kind (in one namespace, or all with None), sorted by namespace/name.
    pub fn list(&self, gvr: &Gvr, ns: Option<&str>) -> Vec<Value> {
        let mut out = Vec::new();
        self.visit(gvr, ns, None, |o| {
            let mut o = o.clone();
            set_api_version(&mut o, gvr);
            out.push(o);
            true
        });
        out
    }

    /// Walk the objects of a kind in (namespace, name) order under the read lock, starting after
    /// `after`; stop when `f` returns false. Returns the resourceVersion the walk saw.
    /// Objects are as stored (apiVersion not rewritten).
    pub fn visit(
        &self,
        gvr: &Gvr,
        ns: Option<&str>,
        after: Option<(&str, &str)>,
        mut f: impl FnMut(&Value) -> bool,
    ) -> u64 {
        use std::ops::Bound;
        let inner = self.read();
        let Some(map) = inner.kinds.get(&kind_key(gvr)) else {
            return inner.rv;
        };
        let lower = match (after, ns) {
            (Some((a_ns, a_name)), _) => Bound::Excluded((a_ns.to_string(), a_name.to_string())),
            (None, Some(ns)) => Bound::Included((ns.to_string(), String::new())),
            (None, None) => Bound::Unbounded,
        };
        for ((obj_ns, _), obj) in map.range((lower, Bound::Unbounded)) {
            if let Some(ns) = ns
                && obj_ns != ns
            {
                if obj_ns.as_str() > ns {
                    break;
                }
                continue;
            }
            if !f(obj) {
                break;
            }
        }
        inner.rv
    }

    /// Number of objects of a kind.
    pub fn count(&self, gvr: &Gvr) -> usize {
        self.read()
            .kinds
            .get(&kind_key(gvr))
            .map_or(0, BTreeMap::len)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }

    /// Events after `rv` from the history plus a receiver for later ones, taken atomically.
    /// 410 Expired when `rv` is older than the kept history.
    pub fn watch_from(
        &self,
        rv: u64,
    ) -> Result<(Vec<Event>, broadcast::Receiver<Event>), ApiError> {
        let inner = self.read();
        if rv < inner.compacted {
            return Err(ApiError::expired(rv, inner.compacted));
        }
        let rx = self.tx.subscribe();
        // History is ordered by resourceVersion: skip what the client has already seen.
        let start = inner.history.partition_point(|e| e.resource_version <= rv);
        let events = inner.history.range(start..).cloned().collect();
        Ok((events, rx))
    }

    /// Watches and continue tokens from below this resourceVersion get 410 Gone.
    pub fn compacted_resource_version(&self) -> u64 {
        self.read().compacted
    }

    /// Forget the event history: any watch from an older resourceVersion then gets 410 Gone.
    pub fn compact(&self) {
        let mut inner = self.write();
        inner.history.clear();
        inner.compacted = inner.rv;
    }

    pub fn create(&self, gvr: &Gvr, obj: Value) -> Result<Value, ApiError> {
        self.create_opt(gvr, obj, false)
    }

    /// Create; with `dry_run` everything is checked and filled in but nothing is stored.
    pub fn create_opt(&self, gvr: &Gvr, mut obj: Value, dry_run: bool) -> Result<Value, ApiError> {
        let mut inner = self.write();
        {
            let m = meta_mut(&mut obj);
            let name = m
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if name.is_empty() {
                let prefix = m
                    .get("generateName")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if prefix.is_empty() {
                    return Err(ApiError::invalid(
                        obj.get("kind").and_then(Value::as_str).unwrap_or(""),
                        &gvr.group,
                        "",
                        &[(
                            "metadata.name".into(),
                            "FieldValueRequired".into(),
                            "Required value: name or generateName is required".into(),
                        )],
                    ));
                }
                let mut generated;
                loop {
                    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
                    let mut r = self.next_random();
                    generated = prefix.clone();
                    for _ in 0..5 {
                        generated.push(ALPHABET[(r % ALPHABET.len() as u64) as usize] as char);
                        r /= ALPHABET.len() as u64;
                    }
                    let ns = m
                        .get("namespace")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let taken = inner
                        .kinds
                        .get(&kind_key(gvr))
                        .is_some_and(|k| k.contains_key(&(ns, generated.clone())));
                    if !taken {
                        break;
                    }
                }
                m.insert("name".into(), Value::String(generated));
            }
        }
        let key = obj_key(&obj);
        if inner
            .kinds
            .get(&kind_key(gvr))
            .is_some_and(|k| k.contains_key(&key))
        {
            return Err(ApiError::already_exists(gvr, &key.1));
        }
        let rv = inner.rv + 1;
        let uid = self.new_uid();
        {
            let m = meta_mut(&mut obj);
            m.insert("uid".into(), Value::String(uid));
            m.insert("resourceVersion".into(), Value::String(rv.to_string()));
            m.insert("generation".into(), json!(1));
            let has_ts = m
                .get("creationTimestamp")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            if !has_ts {
                m.insert("creationTimestamp".into(), Value::String(now_rfc3339()));
            }
            m.remove("deletionTimestamp");
            m.remove("deletionGracePeriodSeconds");
            if m.get("namespace").and_then(Value::as_str) == Some("") {
                m.remove("namespace");
            }
        }
        set_api_version(&mut obj, gvr);
        if dry_run {
            return Ok(obj);
        }
        inner.rv = rv;
        for owner in owner_uids(&obj) {
            inner
                .dependents
                .entry(owner)
                .or_default()
                .insert((kind_key(gvr), key.clone()));
        }
        inner
            .kinds
            .entry(kind_key(gvr))
            .or_default()
            .insert(key, obj.clone());
        let ev = Event {
            kind: EventType::Added,
            gvr: gvr.clone(),
            object: obj.clone(),
            resource_version: rv,
        };
        self.record(&mut inner, vec![ev]);
        Ok(obj)
    }

    /// Full replace. Conflict when `metadata.resourceVersion` is given and stale.
    /// uid and creationTimestamp are kept; generation moves when anything outside metadata/status
    /// changes. A terminating object whose finalizers become empty is removed.
    pub fn update(&self, gvr: &Gvr, obj: Value) -> Result<Value, ApiError> {
        self.update_opt(gvr, obj, false)
    }

    pub fn update_opt(&self, gvr: &Gvr, obj: Value, dry_run: bool) -> Result<Value, ApiError> {
        let mut inner = self.write();
        let key = obj_key(&obj);
        let Some(old) = inner.kinds.get(&kind_key(gvr)).and_then(|k| k.get(&key)) else {
            return Err(ApiError::not_found(gvr, &key.1));
        };
        let given_rv = meta_str(&obj, "resourceVersion");
        if !given_rv.is_empty() && given_rv != meta_str(old, "resourceVersion") {
            return Err(ApiError::conflict(gvr, &key.1));
        }
        let old = old.clone();
        self.replace_locked(&mut inner, gvr, key, old, obj, dry_run)
    }

    /// Read-modify-write under the lock: `f` edits the object (spec, status, metadata).
    /// `f` runs with the store locked, so it must not call the store itself.
    pub fn mutate(
        &self,
        gvr: &Gvr,
        ns: Option<&str>,
        name: &str,
        f: impl FnOnce(&mut Value),
    ) -> Result<Value, ApiError> {
        self.try_mutate(gvr, ns, name, |o| {
            f(o);
            Ok(())
        })
    }

    /// Like `mutate`, but the closure may refuse with an error (nothing is written then).
    pub fn try_mutate(
        &self,
        gvr: &Gvr,
        ns: Option<&str>,
        name: &str,
        f: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        self.try_mutate_opt(gvr, ns, name, false, f)
    }

    pub fn try_mutate_opt(
        &self,
        gvr: &Gvr,
        ns: Option<&str>,
        name: &str,
        dry_run: bool,
        f: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        let mut inner = self.write();
        let key = (ns.unwrap_or("").to_string(), name.to_string());
        let Some(old) = inner
            .kinds
            .get(&kind_key(gvr))
            .and_then(|k| k.get(&key))
            .cloned()
        else {
            return Err(ApiError::not_found(gvr, name));
        };
        let mut new = old.clone();
        f(&mut new)?;
        self.replace_locked(&mut inner, gvr, key, old, new, dry_run)
    }

    fn replace_locked(
        &self,
        inner: &mut Inner,
        gvr: &Gvr,
        key: ObjKey,
        old: Value,
        mut new: Value,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        {
            let old_m = meta(&old).cloned().unwrap_or_default();
            let m = meta_mut(&mut new);
            // Identity cannot change through an update.
            m.insert("name".into(), Value::String(key.1.clone()));
            if key.0.is_empty() {
                m.remove("namespace");
            } else {
                m.insert("namespace".into(), Value::String(key.0.clone()));
            }
            for field in [
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
            ] {
                match old_m.get(field) {
                    Some(v) => {
                        m.insert(field.into(), v.clone());
                    }
                    None => {
                        m.remove(field);
                    }
                }
            }
            m.insert(
                "resourceVersion".into(),
                old_m.get("resourceVersion").cloned().unwrap_or(Value::Null),
            );
        }
        set_api_version(&mut new, gvr);
        if spec_part(&old) != spec_part(&new) {
            let generation = meta(&old)
                .and_then(|m| m.get("generation"))
                .and_then(Value::as_i64)
                .unwrap_or(1);
            meta_mut(&mut new).insert("generation".into(), json!(generation + 1));
        }
        let removing = is_terminating(&new) && finalizers_empty(&new);
        if !removing && same_content(&old, &new) {
            let mut old = old;
            set_api_version(&mut old, gvr);
            return Ok(old);
        }
        let rv = inner.rv + 1;
        meta_mut(&mut new).insert("resourceVersion".into(), Value::String(rv.to_string()));
        if dry_run {
            return Ok(new);
        }
        inner.rv = rv;
        let kk = kind_key(gvr);
        for owner in owner_uids(&old) {
            if let Some(d) = inner.dependents.get_mut(&owner) {
                d.remove(&(kk.clone(), key.clone()));
            }
        }
        let mut events = Vec::new();
        if removing {
            if let Some(k) = inner.kinds.get_mut(&kk) {
                k.remove(&key);
            }
            events.push(Event {
                kind: EventType::Deleted,
                gvr: gvr.clone(),
                object: new.clone(),
                resource_version: rv,
            });
            let uid = meta_str(&new, "uid").to_string();
            self.collect_garbage(inner, &uid, &mut events);
            if !key.0.is_empty() {
                self.finish_namespace(inner, &key.0, &mut events);
            }
        } else {
            for owner in owner_uids(&new) {
                inner
                    .dependents
                    .entry(owner)
                    .or_default()
                    .insert((kk.clone(), key.clone()));
            }
            inner.kinds.entry(kk).or_default().insert(key, new.clone());
            events.push(Event {
                kind: EventType::Modified,
                gvr: gvr.clone(),
                object: new.clone(),
                resource_version: rv,
            });
        }
        self.record(inner, events);
        Ok(new)
    }

    /// Delete: with finalizers the object gets a deletionTimestamp and lingers until they are
    /// removed; otherwise it goes (with its owner-referenced dependents, and for a Namespace
    /// everything in it). Returns the object's last state.
    pub fn delete(&self, gvr: &Gvr, ns: Option<&str>, name: &str) -> Result<Value, ApiError> {
        self.delete_opt(gvr, ns, name, false)
    }

    pub fn delete_opt(
        &self,
        gvr: &Gvr,
        ns: Option<&str>,
        name: &str,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let mut inner = self.write();
        let key = (ns.unwrap_or("").to_string(), name.to_string());
        let Some(old) = inner
            .kinds
            .get(&kind_key(gvr))
            .and_then(|k| k.get(&key))
            .cloned()
        else {
            return Err(ApiError::not_found(gvr, name));
        };
        if dry_run {
            let mut o = old;
            set_api_version(&mut o, gvr);
            return Ok(o);
        }
        let mut events = Vec::new();
        let out = self.delete_locked(&mut inner, &kind_key(gvr), gvr, &key, &mut events);
        self.record(&mut inner, events);
        let mut out = out.unwrap_or(old);
        set_api_version(&mut out, gvr);
        Ok(out)
    }

    fn delete_locked(
        &self,
        inner: &mut Inner,
        kk: &KindKey,
        gvr: &Gvr,
        key: &ObjKey,
        events: &mut Vec<Event>,
    ) -> Option<Value> {
        let old = inner.kinds.get(kk)?.get(key)?.clone();
        if is_terminating(&old) {
            return Some(old);
        }
        let rv = inner.rv + 1;
        inner.rv = rv;
        let mut obj = old;
        let is_namespace = kk.0.is_empty() && kk.1 == "namespaces";
        // A namespace always terminates first: its contents go, then it does.
        if is_namespace || !finalizers_empty(&obj) {
            let m = meta_mut(&mut obj);
            m.insert("deletionTimestamp".into(), Value::String(now_rfc3339()));
            m.insert("deletionGracePeriodSeconds".into(), json!(0));
            m.insert("resourceVersion".into(), Value::String(rv.to_string()));
            if is_namespace {
                obj["status"]["phase"] = json!("Terminating");
            }
            inner
                .kinds
                .entry(kk.clone())
                .or_default()
                .insert(key.clone(), obj.clone());
            events.push(Event {
                kind: EventType::Modified,
                gvr: gvr.clone(),
                object: obj.clone(),
                resource_version: rv,
            });
            if is_namespace {
                self.empty_namespace(inner, &key.1, events);
                self.finish_namespace(inner, &key.1, events);
                return inner
                    .kinds
                    .get(kk)
                    .and_then(|m| m.get(key))
                    .cloned()
                    .or(Some(obj));
            }
            return Some(obj);
        }
        meta_mut(&mut obj).insert("resourceVersion".into(), Value::String(rv.to_string()));
        if let Some(k) = inner.kinds.get_mut(kk) {
            k.remove(key);
        }
        for owner in owner_uids(&obj) {
            if let Some(d) = inner.dependents.get_mut(&owner) {
                d.remove(&(kk.clone(), key.clone()));
            }
        }
        events.push(Event {
            kind: EventType::Deleted,
            gvr: gvr.clone(),
            object: obj.clone(),
            resource_version: rv,
        });
        let uid = meta_str(&obj, "uid").to_string();
        self.collect_garbage(inner, &uid, events);
        if !key.0.is_empty() {
            self.finish_namespace(inner, &key.0, events);
        }
        Some(obj)
    }

    /// Remove a terminating namespace once nothing is left in it and it has no finalizers.
    fn finish_namespace(&self, inner: &mut Inner, ns: &str, events: &mut Vec<Event>) {
        let nk: KindKey = (String::new(), "namespaces".into());
        let key: ObjKey = (String::new(), ns.to_string());
        let Some(obj) = inner.kinds.get(&nk).and_then(|m| m.get(&key)) else {
            return;
        };
        if !is_terminating(obj) || !finalizers_empty(obj) {
            return;
        }
        let has_content = inner.kinds.iter().any(|(kk, objs)| {
            *kk != nk
                && objs
                    .range((ns.to_string(), String::new())..)
                    .next()
                    .is_some_and(|((n, _), _)| n == ns)
        });
        if has_content {
            return;
        }
        let mut obj = obj.clone();
        let rv = inner.rv + 1;
        inner.rv = rv;
        meta_mut(&mut obj).insert("resourceVersion".into(), Value::String(rv.to_string()));
        if let Some(m) = inner.kinds.get_mut(&nk) {
            m.remove(&key);
        }
        let gvr = Gvr::new("", "v1", "namespaces");
        events.push(Event {
            kind: EventType::Deleted,
            gvr,
            object: obj,
            resource_version: rv,
        });
    }

    /// Whether a namespace is being deleted.
    pub fn namespace_terminating(&self, ns: &str) -> bool {
        let inner = self.read();
        inner
            .kinds
            .get(&(String::new(), "namespaces".to_string()))
            .and_then(|m| m.get(&(String::new(), ns.to_string())))
            .is_some_and(is_terminating)
    }

    /// Background cascading deletion of the dependents of a removed owner.
    fn collect_garbage(&self, inner: &mut Inner, owner_uid: &str, events: &mut Vec<Event>) {
        let Some(deps) = inner.dependents.remove(owner_uid) else {
            return;
        };
        for (kk, key) in deps {
            let gvr = self.gvr_of(inner, &kk);
            self.delete_locked(inner, &kk, &gvr, &key, events);
        }
    }

    fn empty_namespace(&self, inner: &mut Inner, ns: &str, events: &mut Vec<Event>) {
        let targets: Vec<(KindKey, ObjKey)> = inner
            .kinds
            .iter()
            .flat_map(|(kk, objs)| {
                objs.range((ns.to_string(), String::new())..)
                    .take_while(|((n, _), _)| n == ns)
                    .map(|(k, _)| (kk.clone(), k.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (kk, key) in targets {
            let gvr = self.gvr_of(inner, &kk);
            self.delete_locked(inner, &kk, &gvr, &key, events);
        }
    }

    /// A Gvr for a stored kind, its version taken from a stored object's apiVersion.
    fn gvr_of(&self, inner: &Inner, kk: &KindKey) -> Gvr {
        let version = inner
            .kinds
            .get(kk)
            .and_then(|m| m.values().next())
            .and_then(|o| o.get("apiVersion")?.as_str())
            .map(|av| av.rsplit('/').next().unwrap_or(av).to_string())
            .unwrap_or_else(|| "v1".into());
        Gvr {
            group: kk.0.clone(),
            version,
            plural: kk.1.clone(),
        }
    }

    /// Append to history (trimming it, which raises the compaction mark) and broadcast.
    fn record(&self, inner: &mut Inner, events: Vec<Event>) {
        for ev in events {
            inner.history.push_back(ev.clone());
            while inner.history.len() > self.history_cap {
                if let Some(old) = inner.history.pop_front() {
                    inner.compacted = old.resource_version;
                }
            }
            // No receivers is fine.
            let _ = self.tx.send(ev);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm_gvr() -> Gvr {
        Gvr::new("kubevirt.io", "v1", "virtualmachines")
    }

    fn vm(ns: &str, name: &str) -> Value {
        json!({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": name, "namespace": ns}, "spec": {"runStrategy": "Halted"}})
    }

    #[test]
    fn create_fills_metadata_and_rejects_duplicates() {
        let s = Store::new();
        let o = s.create(&vm_gvr(), vm("ns", "a")).unwrap();
        assert_eq!(o["metadata"]["generation"], 1);
        assert_eq!(o["metadata"]["uid"].as_str().unwrap().len(), 36);
        assert!(
            o["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap()
                .ends_with('Z')
        );
        let e = s.create(&vm_gvr(), vm("ns", "a")).unwrap_err();
        assert_eq!((e.code, e.reason.as_str()), (409, "AlreadyExists"));
    }

    #[test]
    fn generate_name_appends_five_characters() {
        let s = Store::new();
        let o = s
            .create(
                &vm_gvr(),
                json!({"metadata": {"generateName": "snap-", "namespace": "ns"}}),
            )
            .unwrap();
        let name = o["metadata"]["name"].as_str().unwrap();
        assert!(name.starts_with("snap-") && name.len() == 10, "{name}");
    }

    #[test]
    fn stale_resource_version_conflicts_and_spec_change_bumps_generation() {
        let s = Store::new();
        let o = s.create(&vm_gvr(), vm("ns", "a")).unwrap();
        let mut newer = o.clone();
        newer["spec"]["runStrategy"] = json!("Always");
        let updated = s.update(&vm_gvr(), newer).unwrap();
        assert_eq!(updated["metadata"]["generation"], 2);
        let e = s.update(&vm_gvr(), o).unwrap_err();
        assert_eq!(e.reason, "Conflict");
        let st = s
            .mutate(&vm_gvr(), Some("ns"), "a", |o| {
                o["status"] = json!({"ready": true})
            })
            .unwrap();
        assert_eq!(st["metadata"]["generation"], 2);
    }

    #[test]
    fn unchanged_update_is_a_no_op() {
        let s = Store::new();
        let o = s.create(&vm_gvr(), vm("ns", "a")).unwrap();
        let again = s.mutate(&vm_gvr(), Some("ns"), "a", |_| {}).unwrap();
        assert_eq!(
            o["metadata"]["resourceVersion"],
            again["metadata"]["resourceVersion"]
        );
    }

    #[test]
    fn finalizers_keep_a_deleted_object_until_removed() {
        let s = Store::new();
        let mut o = vm("ns", "a");
        o["metadata"]["finalizers"] = json!(["x/y"]);
        s.create(&vm_gvr(), o).unwrap();
        let d = s.delete(&vm_gvr(), Some("ns"), "a").unwrap();
        assert!(d["metadata"]["deletionTimestamp"].is_string());
        assert!(s.get(&vm_gvr(), Some("ns"), "a").is_some());
        s.mutate(&vm_gvr(), Some("ns"), "a", |o| {
            o["metadata"]["finalizers"] = json!([])
        })
        .unwrap();
        assert!(s.get(&vm_gvr(), Some("ns"), "a").is_none());
    }

    #[test]
    fn deleting_an_owner_removes_its_dependents() {
        let s = Store::new();
        let owner = s.create(&vm_gvr(), vm("ns", "a")).unwrap();
        let vmi_gvr = Gvr::new("kubevirt.io", "v1", "virtualmachineinstances");
        let mut vmi = vm("ns", "a");
        vmi["metadata"]["ownerReferences"] = json!([{"uid": owner["metadata"]["uid"], "kind": "VirtualMachine", "name": "a", "apiVersion": "kubevirt.io/v1"}]);
        s.create(&vmi_gvr, vmi).unwrap();
        s.delete(&vm_gvr(), Some("ns"), "a").unwrap();
        assert!(s.get(&vmi_gvr, Some("ns"), "a").is_none());
    }

    #[test]
    fn a_namespace_terminates_until_its_last_object_is_gone() {
        let s = Store::new();
        let ns = Gvr::new("", "v1", "namespaces");
        s.create(
            &ns,
            json!({"metadata": {"name": "ns"}, "status": {"phase": "Active"}}),
        )
        .unwrap();
        s.create(&ns, json!({"metadata": {"name": "empty"}}))
            .unwrap();
        let mut o = vm("ns", "a");
        o["metadata"]["finalizers"] = json!(["x/y"]);
        s.create(&vm_gvr(), o).unwrap();
        s.create(&vm_gvr(), vm("ns", "b")).unwrap();
        let d = s.delete(&ns, None, "ns").unwrap();
        assert_eq!(d["status"]["phase"], "Terminating");
        assert!(s.namespace_terminating("ns"));
        assert!(s.get(&vm_gvr(), Some("ns"), "b").is_none());
        assert!(
            s.get(&vm_gvr(), Some("ns"), "a").unwrap()["metadata"]["deletionTimestamp"].is_string()
        );
        s.mutate(&vm_gvr(), Some("ns"), "a", |o| {
            o["metadata"]["finalizers"] = json!([])
        })
        .unwrap();
        assert!(s.get(&ns, None, "ns").is_none());
        s.delete(&ns, None, "empty").unwrap();
        assert!(
            s.get(&ns, None, "empty").is_none(),
            "an empty namespace goes at once"
        );
    }

    #[test]
    fn list_is_sorted_and_filtered_by_namespace() {
        let s = Store::new();
        for (ns, n) in [("b", "x"), ("a", "z"), ("a", "y"), ("c", "w")] {
            s.create(&vm_gvr(), vm(ns, n)).unwrap();
        }
        let names: Vec<_> = s
            .list(&vm_gvr(), None)
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["y", "z", "x", "w"]);
        assert_eq!(s.list(&vm_gvr(), Some("a")).len(), 2);
        assert_eq!(s.list(&vm_gvr(), Some("bb")).len(), 0);
    }

    #[test]
    fn watch_from_replays_history_and_expires_after_compaction() {
        let s = Store::new();
        let rv0 = s.resource_version();
        s.create(&vm_gvr(), vm("ns", "a")).unwrap();
        s.create(&vm_gvr(), vm("ns", "b")).unwrap();
        let (events, _rx) = s.watch_from(rv0 + 1).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].object["metadata"]["name"], "b");
        s.compact();
        assert_eq!(s.watch_from(rv0).unwrap_err().code, 410);
        assert!(s.watch_from(s.resource_version()).is_ok());
    }

    #[test]
    fn history_cap_trims_and_expires_old_versions() {
        let s = Store::with_history(2);
        let rv0 = s.resource_version();
        for n in ["a", "b", "c", "d"] {
            s.create(&vm_gvr(), vm("ns", n)).unwrap();
        }
        assert_eq!(s.watch_from(rv0).unwrap_err().code, 410);
        assert_eq!(s.watch_from(s.resource_version() - 2).unwrap().0.len(), 2);
    }
}
