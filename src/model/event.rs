//! An Event about an object, as `kubectl describe` lists it under "Events:".

use jiff::Timestamp;
use serde::Serialize;

/// One core/v1 Event, reduced to what describe prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventInfo {
    /// "Normal" or "Warning".
    #[serde(rename = "type")]
    pub type_: String,
    /// The machine-readable reason (`SnapshotReady`, `VolumeSnapshotMissing`, …).
    pub reason: String,
    /// The object it is about, as `Kind/name`.
    pub object: String,
    /// When it was first seen (`eventTime`, else `firstTimestamp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<Timestamp>,
    /// When it was last seen (`series.lastObservedTime`, else `lastTimestamp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
    /// How many times it happened (`series.count`, else `count`; at least 1).
    pub count: u64,
    /// The component that reported it (`source.component`, else `reportingController`).
    pub from: String,
    /// The text, trimmed.
    pub message: String,
}

impl EventInfo {
    /// kubectl's Age cell: the first sighting's age, or `LAST (xN over FIRST)` for a
    /// repeated event (`DescribeEvents`).
    pub fn age(&self, now: Timestamp) -> String {
        let first = super::age::age(self.first_seen, now);
        if self.count > 1 {
            format!(
                "{} (x{} over {first})",
                super::age::age(self.last_seen, now),
                self.count
            )
        } else {
            first
        }
    }
}

/// Sorts as kubectl does: oldest last sighting first (no time sorts first).
pub fn sort_events(events: &mut [EventInfo]) {
    events.sort_by_key(|e| e.last_seen);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_sort_by_last_sighting_as_kubectl_sorts_them() {
        let at = |reason: &str, last: Option<&str>| EventInfo {
            type_: "Normal".into(),
            reason: reason.into(),
            object: "K/n".into(),
            first_seen: None,
            last_seen: last.and_then(|t| t.parse().ok()),
            count: 1,
            from: String::new(),
            message: String::new(),
        };
        let mut events = vec![
            at("late", Some("2026-01-01T00:02:00Z")),
            at("early", Some("2026-01-01T00:01:00Z")),
            at("untimed", None),
        ];
        sort_events(&mut events);
        let order: Vec<&str> = events.iter().map(|e| e.reason.as_str()).collect();
        assert_eq!(order, ["untimed", "early", "late"]);
    }
}
