//! describe's sections every platform shares, laid out as `kubectl describe` prints them:
//! Annotations (`printAnnotationsMultiline`) and Events (`DescribeEvents`).

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::table::{Table, aligned, key_values};
use crate::model::event::EventInfo;
use crate::terminal::terminal_safe;

/// kubectl never shows this one (it is the whole object again).
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// kubectl's `maxAnnotationLen`.
const MAX_ANNOTATION_LEN: usize = 140;

/// The value lines of "Annotations:": `key: value` sorted by key, a long or multi-line value
/// on a line of its own, cut at 138 characters, `<none>` when there is nothing to show.
/// kubectl prints each line of a multi-line value on a line of its own; here its newlines stay
/// escaped (`\n`), so no server text can draw a line that looks like the plugin's.
pub fn annotation_lines(annotations: &BTreeMap<String, String>) -> Vec<String> {
    let mut lines = Vec::new();
    for (key, value) in annotations.iter().filter(|(k, _)| *k != LAST_APPLIED) {
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.chars().count() + key.chars().count() + 2 > MAX_ANNOTATION_LEN
            || value.contains('\n')
        {
            let one_line = terminal_safe(value, false);
            lines.push(format!("{key}:"));
            lines.push(format!("  {}", shorten(&one_line, MAX_ANNOTATION_LEN - 2)));
        } else {
            lines.push(format!("{key}: {value}"));
        }
    }
    if lines.is_empty() {
        lines.push("<none>".into());
    }
    lines
}

/// describe's key/value rows with "Annotations:" after "Labels:" (or last), ready for
/// [`super::key_values_multi`].
pub fn with_annotations<'a>(
    rows: Vec<(&'a str, String)>,
    annotations: &BTreeMap<String, String>,
) -> Vec<(&'a str, Vec<String>)> {
    let mut out: Vec<(&'a str, Vec<String>)> =
        rows.into_iter().map(|(k, v)| (k, vec![v])).collect();
    let at = out
        .iter()
        .position(|(k, _)| *k == "Labels")
        .map_or(out.len(), |i| i + 1);
    out.insert(at, ("Annotations", annotation_lines(annotations)));
    out
}

fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

/// The "Events:" section: `<none>`, `<unknown>` when they could not be read (None), else
/// kubectl's Type/Reason/Age/From/Message table (tabwriter padding 2), oldest first. An event
/// about another object than `subject` (a content, a VolumeSnapshot) says which in front of
/// its message, as kubectl puts a field path there.
pub fn events_section(events: Option<&[EventInfo]>, subject: &str, now: Timestamp) -> String {
    let events = match events {
        None => return key_values(&[("Events", "<unknown>".into())], 0),
        Some([]) => return key_values(&[("Events", "<none>".into())], 0),
        Some(events) => events,
    };
    let cell = |s: &str| terminal_safe(s, false).into_owned();
    let mut rows: Vec<Vec<String>> = vec![
        ["  Type", "Reason", "Age", "From", "Message"]
            .map(String::from)
            .to_vec(),
        ["  ----", "------", "----", "----", "-------"]
            .map(String::from)
            .to_vec(),
    ];
    for e in events {
        let message = if e.object == subject {
            e.message.clone()
        } else {
            format!("{}: {}", e.object, e.message)
        };
        rows.push(vec![
            format!("  {}", cell(&e.type_)),
            cell(&e.reason),
            e.age(now),
            cell(&e.from),
            cell(&message),
        ]);
    }
    let lines: Vec<&[String]> = rows.iter().map(Vec::as_slice).collect();
    format!("Events:\n{}", aligned(&lines, 2, 0))
}

/// A titled section of rows as describe lays them out: `Title:`, then the table indented two
/// spaces, or `  <none>` when there are no rows.
pub fn table_section(title: &str, headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut out = format!("{title}:\n");
    if rows.is_empty() {
        out.push_str("  <none>\n");
        return out;
    }
    let mut t = Table::new(headers);
    for row in rows {
        t.row(row);
    }
    out.extend(t.render(true).lines().map(|l| format!("  {l}\n")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_section_indents_the_rows_or_says_none() {
        assert_eq!(
            table_section("Restores", &["name"], vec![]),
            "Restores:\n  <none>\n"
        );
        assert_eq!(
            table_section(
                "Restores",
                &["name", "vm"],
                vec![vec!["r1".into(), "db".into()]]
            ),
            "Restores:\n  NAME   VM\n  r1     db\n"
        );
    }

    fn event(object: &str, reason: &str, message: &str, at: &str, count: u64) -> EventInfo {
        EventInfo {
            type_: "Normal".into(),
            reason: reason.into(),
            object: object.into(),
            first_seen: at.parse().ok(),
            last_seen: at.parse().ok(),
            count,
            from: "snapshot-controller".into(),
            message: message.into(),
        }
    }

    #[test]
    fn events_print_in_kubectls_columns_with_other_objects_named() {
        let now: Timestamp = "2026-01-01T00:10:00Z".parse().unwrap();
        let events = [
            event(
                "VirtualMachineSnapshot/s",
                "SuccessfulVirtualMachineSnapshotContentCreate",
                "Successfully created VirtualMachineSnapshotContent c",
                "2026-01-01T00:00:00Z",
                1,
            ),
            event(
                "VolumeSnapshot/vs",
                "SnapshotReady",
                "Snapshot p/vs is ready to use.\nforged row",
                "2026-01-01T00:09:00Z",
                2,
            ),
        ];
        let out = events_section(Some(&events), "VirtualMachineSnapshot/s", now);
        assert_eq!(
            out,
            "Events:\n\
             \x20 Type    Reason                                         Age                From                 Message\n\
             \x20 ----    ------                                         ----               ----                 -------\n\
             \x20 Normal  SuccessfulVirtualMachineSnapshotContentCreate  10m                snapshot-controller  Successfully created VirtualMachineSnapshotContent c\n\
             \x20 Normal  SnapshotReady                                  60s (x2 over 60s)  snapshot-controller  VolumeSnapshot/vs: Snapshot p/vs is ready to use.\\nforged row\n"
        );
        assert_eq!(events_section(Some(&[]), "x", now), "Events:  <none>\n");
        assert_eq!(events_section(None, "x", now), "Events:  <unknown>\n");
    }

    #[test]
    fn annotations_sort_skip_last_applied_and_break_long_values() {
        let mut a = BTreeMap::new();
        a.insert("description".to_string(), "before the upgrade".to_string());
        a.insert(LAST_APPLIED.to_string(), "{}".to_string());
        a.insert("a/notes".to_string(), "one\ntwo\n".to_string());
        a.insert("z".to_string(), "x".repeat(150));
        assert_eq!(
            annotation_lines(&a),
            [
                "a/notes:".to_string(),
                "  one\\ntwo".into(),
                "description: before the upgrade".into(),
                "z:".into(),
                format!("  {}...", "x".repeat(138)),
            ]
        );
        assert_eq!(annotation_lines(&BTreeMap::new()), ["<none>"]);
    }
}
