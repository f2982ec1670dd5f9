//! core/v1 Events about objects, found as `kubectl describe` finds them: one list per object
//! with a field selector on `involvedObject` (name, namespace, kind, uid), in pages.

use futures::future::join_all;
use kube::api::{ApiResource, ListParams};
use kube::{Client, Error as KubeError};
use serde_json::Value;

use super::json::{name, namespace, str_at, time_at};
use super::{dynamic_api, list_all_with};
use crate::model::event::{EventInfo, sort_events};

/// kubectl's default `--chunk-size`.
const PAGE: u32 = 500;

fn events_resource() -> ApiResource {
    ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "Event".into(),
        plural: "events".into(),
    }
}

/// `fields.EscapeValue`: a value cannot end or split the selector.
fn escape_field(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace('=', "\\=")
}

/// The field selector kubectl's `searchEvents` sends for `obj`.
pub fn selector_for(obj: &Value) -> String {
    let mut parts = vec![
        format!("involvedObject.name={}", escape_field(name(obj))),
        format!("involvedObject.namespace={}", escape_field(namespace(obj))),
    ];
    for (field, ptr) in [("kind", "/kind"), ("uid", "/metadata/uid")] {
        if let Some(v) = str_at(obj, ptr).filter(|v| !v.is_empty()) {
            parts.push(format!("involvedObject.{field}={}", escape_field(v)));
        }
    }
    parts.join(",")
}

/// One Event as describe prints it.
pub fn event_info(ev: &Value) -> EventInfo {
    let text = |ptr: &str| str_at(ev, ptr).unwrap_or("").to_string();
    let series_count = ev.pointer("/series/count").and_then(Value::as_u64);
    let count = series_count
        .or_else(|| ev.pointer("/count").and_then(Value::as_u64))
        .unwrap_or(1)
        .max(1);
    let last_seen = if series_count.is_some() {
        time_at(ev, "/series/lastObservedTime")
    } else {
        time_at(ev, "/lastTimestamp")
    };
    let from = Some(text("/source/component"))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| text("/reportingComponent"));
    let mut message = text("/message").trim().to_string();
    if let Some(path) = str_at(ev, "/involvedObject/fieldPath").filter(|p| !p.is_empty()) {
        message = format!("{path}: {message}");
    }
    EventInfo {
        type_: text("/type"),
        reason: text("/reason"),
        object: format!(
            "{}/{}",
            text("/involvedObject/kind"),
            text("/involvedObject/name")
        ),
        first_seen: time_at(ev, "/eventTime").or_else(|| time_at(ev, "/firstTimestamp")),
        last_seen: last_seen.or_else(|| time_at(ev, "/lastTimestamp")),
        count,
        from,
        message,
    }
}

/// The Events about every object in `objects` (each in its own namespace), sorted oldest
/// first. Any failed list (events are often not readable by a namespace user) is the error.
pub async fn events_about(
    client: &Client,
    objects: &[&Value],
) -> Result<Vec<EventInfo>, KubeError> {
    let ar = events_resource();
    let lists = join_all(objects.iter().map(|obj| {
        let api = dynamic_api(client, &ar, Some(namespace(obj)));
        let params = ListParams::default().fields(&selector_for(obj)).limit(PAGE);
        async move { list_all_with(&api, params).await }
    }))
    .await;
    let mut events = Vec::new();
    for list in lists {
        events.extend(list?.iter().map(event_info));
    }
    sort_events(&mut events);
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_selector_names_the_object_as_kubectl_does_and_cannot_be_split() {
        let obj = json!({"kind": "VolumeSnapshot",
            "metadata": {"name": "vs-1", "namespace": "prod", "uid": "u-1"}});
        assert_eq!(
            selector_for(&obj),
            "involvedObject.name=vs-1,involvedObject.namespace=prod,\
             involvedObject.kind=VolumeSnapshot,involvedObject.uid=u-1"
        );
        let hostile = json!({"metadata": {"name": "a,reason=x", "namespace": "p"}});
        assert_eq!(
            selector_for(&hostile),
            "involvedObject.name=a\\,reason\\=x,involvedObject.namespace=p"
        );
    }

    #[test]
    fn a_core_event_and_an_event_series_read_as_describe_prints_them() {
        let now: jiff::Timestamp = "2026-01-01T01:00:00Z".parse().unwrap();
        let core = json!({
            "type": "Warning", "reason": "VolumeSnapshotMissing", "count": 3,
            "message": "  VolumeSnapshot vs-1 no longer exists\n",
            "involvedObject": {"kind": "VirtualMachineSnapshotContent", "name": "c-1"},
            "source": {"component": "snapshot-controller"},
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:59:00Z",
        });
        let e = event_info(&core);
        assert_eq!(e.message, "VolumeSnapshot vs-1 no longer exists");
        assert_eq!(e.from, "snapshot-controller");
        assert_eq!(e.object, "VirtualMachineSnapshotContent/c-1");
        assert_eq!(e.age(now), "60s (x3 over 60m)");
        let series = json!({
            "type": "Normal", "reason": "R", "reportingComponent": "kubelet",
            "eventTime": "2026-01-01T00:30:00.000000Z",
            "series": {"count": 2, "lastObservedTime": "2026-01-01T00:50:00.000000Z"},
            "involvedObject": {"kind": "Pod", "name": "p", "fieldPath": "spec.containers{c}"},
            "message": "m",
        });
        let e = event_info(&series);
        assert_eq!(e.from, "kubelet");
        assert_eq!(e.message, "spec.containers{c}: m");
        assert_eq!(e.age(now), "10m (x2 over 30m)");
        let once =
            json!({"type": "Normal", "reason": "R", "firstTimestamp": "2026-01-01T00:59:30Z"});
        assert_eq!(event_info(&once).age(now), "30s");
    }
}
