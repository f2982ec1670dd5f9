//! Watch streams: newline-delimited JSON WatchEvents (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR)
//! over a chunked response, resumable from a resourceVersion, 410 Gone once it is compacted.

use std::collections::HashSet;
use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::Response;
use hyper::body::Frame;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::selectors::{FieldSelector, LabelSelector};
use super::table::{self, Shape};
use super::{Body, Ctx};
use crate::error::ApiError;
use crate::registry::ResourceDef;
use crate::store::{Event, EventType, Gvr, set_api_version};

/// How often an idle watch that allows bookmarks gets one.
const BOOKMARK_EVERY: Duration = Duration::from_secs(10);
/// The apiserver's default when the client sets no timeoutSeconds (it randomizes 30-60 min).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

struct Filter {
    gvr: Gvr,
    ns: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    /// With selectors: the objects the client currently sees as matching, so an object that
    /// stops matching is reported DELETED and one that starts matching ADDED, as the
    /// apiserver's watch cache does.
    known: HashSet<(String, String)>,
}

fn key_of(o: &Value) -> (String, String) {
    let s = |p: &str| {
        o.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (s("/metadata/namespace"), s("/metadata/name"))
}

impl Filter {
    fn matches_obj(&self, o: &Value) -> bool {
        if let Some(ns) = &self.ns
            && o.pointer("/metadata/namespace").and_then(Value::as_str) != Some(ns.as_str())
        {
            return false;
        }
        self.fields.matches(o) && self.labels.matches(o)
    }

    fn selective(&self) -> bool {
        !self.labels.is_empty() || !self.fields.is_empty()
    }

    /// What the client should see for this event, if anything: (type, object).
    fn translate(&mut self, ev: Event) -> Option<(&'static str, Value)> {
        if ev.gvr.group != self.gvr.group || ev.gvr.plural != self.gvr.plural {
            return None;
        }
        if !self.selective() {
            return self
                .matches_obj(&ev.object)
                .then(|| (ev.kind.as_str(), ev.object));
        }
        let key = key_of(&ev.object);
        let matches = self.matches_obj(&ev.object);
        match ev.kind {
            EventType::Deleted => {
                let was = self.known.remove(&key);
                (was || matches).then_some(("DELETED", ev.object))
            }
            _ if matches => {
                let new = self.known.insert(key);
                Some((if new { "ADDED" } else { "MODIFIED" }, ev.object))
            }
            _ => self.known.remove(&key).then_some(("DELETED", ev.object)),
        }
    }

    /// Replay of history: report as recorded, but keep `known` in step.
    fn replay(&mut self, ev: Event) -> Option<(&'static str, Value)> {
        if ev.gvr.group != self.gvr.group || ev.gvr.plural != self.gvr.plural {
            return None;
        }
        let matches = self.matches_obj(&ev.object);
        if self.selective() {
            let key = key_of(&ev.object);
            if matches && ev.kind != EventType::Deleted {
                self.known.insert(key);
            } else {
                self.known.remove(&key);
            }
        }
        matches.then(|| (ev.kind.as_str(), ev.object))
    }
}

struct Encoder {
    def: ResourceDef,
    gvr: Gvr,
    shape: Shape,
    include: String,
}

impl Encoder {
    fn line(&self, kind: &str, mut obj: Value) -> Bytes {
        set_api_version(&mut obj, &self.gvr);
        let object = match self.shape {
            Shape::Table => {
                let rv = obj
                    .pointer("/metadata/resourceVersion")
                    .cloned()
                    .unwrap_or(json!(""));
                table::table(
                    &self.def,
                    std::slice::from_ref(&obj),
                    &self.include,
                    json!({ "resourceVersion": rv }),
                )
            }
            Shape::Metadata => table::partial_metadata(&obj),
            Shape::Object => obj,
        };
        let mut out =
            serde_json::to_vec(&json!({ "type": kind, "object": object })).unwrap_or_default();
        out.push(b'\n');
        Bytes::from(out)
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({ "resourceVersion": rv.to_string() });
        if initial_end {
            meta["annotations"] = json!({ "k8s.io/initial-events-end": "true" });
        }
        let obj = json!({ "kind": self.def.kind, "apiVersion": self.gvr.api_version(), "metadata": meta });
        let mut out =
            serde_json::to_vec(&json!({ "type": "BOOKMARK", "object": obj })).unwrap_or_default();
        out.push(b'\n');
        Bytes::from(out)
    }

    fn error(e: &ApiError) -> Bytes {
        let mut out = serde_json::to_vec(&json!({ "type": "ERROR", "object": e.to_status() }))
            .unwrap_or_default();
        out.push(b'\n');
        Bytes::from(out)
    }
}

pub fn watch(
    ctx: &mut Ctx,
    def: &ResourceDef,
    gvr: &Gvr,
    ns: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let q = &ctx.query;
    let filter = Filter {
        gvr: gvr.clone(),
        ns: ns.map(str::to_string),
        labels: LabelSelector::parse(q.get("labelSelector").map(String::as_str).unwrap_or(""))?,
        fields: FieldSelector::parse_for(
            q.get("fieldSelector").map(String::as_str).unwrap_or(""),
            &gvr.group,
            &gvr.plural,
        )?,
        known: HashSet::new(),
    };
    let rv_param = q.get("resourceVersion").cloned().unwrap_or_default();
    let send_initial = q.get("sendInitialEvents").is_some_and(|v| v == "true");
    let bookmarks = q
        .get("allowWatchBookmarks")
        .is_some_and(|v| v == "true" || v == "1");
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|t| *t > 0)
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT);
    let enc = Encoder {
        def: def.clone(),
        gvr: gvr.clone(),
        shape: Shape::from_accept(&ctx.accept),
        include: q
            .get("includeObject")
            .cloned()
            .unwrap_or_else(|| "Metadata".into()),
    };
    let shared = ctx.shared.clone();
    let store = shared.store.clone();
    let drop_after = shared.faults.take_drop_watch_after();

    // Without a resourceVersion (or with "0"), or with sendInitialEvents, the watch starts with
    // the current state as ADDED events.
    let mut initial = Vec::new();
    let mut expired = None;
    let mut filter = filter;
    let start_rv = if rv_param.is_empty() || rv_param == "0" || send_initial {
        let mut known = HashSet::new();
        let rv = store.visit(gvr, ns, None, |o| {
            if filter.matches_obj(o) {
                known.insert(key_of(o));
                initial.push(o.clone());
            }
            true
        });
        filter.known = known;
        rv
    } else {
        if filter.selective() {
            // Today's matches; the replayed history then brings `known` to the present.
            let mut known = HashSet::new();
            store.visit(gvr, ns, None, |o| {
                if filter.matches_obj(o) {
                    known.insert(key_of(o));
                }
                true
            });
            filter.known = known;
        }
        let rv: u64 = rv_param.parse().map_err(|_| {
            ApiError::bad_request(format!("invalid resource version: {rv_param:?}"))
        })?;
        if shared.faults.take_expire_watch_rv() {
            expired = Some(ApiError::expired(rv, store.resource_version()));
        }
        rv
    };
    let subscription = match expired {
        Some(e) => Err(e),
        None => store.watch_from(start_rv),
    };

    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let mut shutdown = shared.shutdown.clone();
    tokio::spawn(async move {
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut sent: u32 = 0;
        let mut last_rv = start_rv;
        let over = |sent: u32| drop_after.is_some_and(|n| sent >= n);
        macro_rules! emit {
            ($bytes:expr) => {
                if tx.send($bytes).await.is_err() {
                    return;
                }
            };
        }
        for o in initial {
            if over(sent) {
                return;
            }
            emit!(enc.line("ADDED", o));
            sent += 1;
        }
        if send_initial && bookmarks {
            emit!(enc.bookmark(start_rv, true));
        }
        let (history, mut events) = match subscription {
            Ok(s) => s,
            Err(e) => {
                let _ = tx.send(Encoder::error(&e)).await;
                return;
            }
        };
        for ev in history {
            if over(sent) {
                return;
            }
            last_rv = ev.resource_version;
            if let Some((kind, obj)) = filter.replay(ev) {
                emit!(enc.line(kind, obj));
                sent += 1;
            }
        }
        let mut ticker = tokio::time::interval(BOOKMARK_EVERY);
        ticker.tick().await;
        loop {
            if over(sent) {
                return;
            }
            tokio::select! {
                ev = events.recv() => match ev {
                    Ok(ev) => {
                        if ev.resource_version <= last_rv {
                            continue;
                        }
                        last_rv = ev.resource_version;
                        if let Some((kind, obj)) = filter.translate(ev) {
                            emit!(enc.line(kind, obj));
                            sent += 1;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        // Fell behind the live feed: catch up from the history, 410 only
                        // if that was compacted meanwhile.
                        match store.watch_from(last_rv) {
                            Ok((missed, rx)) => {
                                events = rx;
                                for ev in missed {
                                    if over(sent) {
                                        return;
                                    }
                                    last_rv = ev.resource_version;
                                    if let Some((kind, obj)) = filter.translate(ev) {
                                        emit!(enc.line(kind, obj));
                                        sent += 1;
                                    }
                                }
                            }
                            Err(e) => {
                                let _ = tx.send(Encoder::error(&e)).await;
                                return;
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = ticker.tick(), if bookmarks => emit!(enc.bookmark(last_rv, false)),
                _ = &mut deadline => return,
                _ = tx.closed() => return,
                _ = super::stopped(&mut shutdown) => return,
            }
        }
    });

    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, Infallible>(Frame::data(b)), rx))
    });
    let mut resp = Response::new(StreamBody::new(stream).boxed_unsync());
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}
