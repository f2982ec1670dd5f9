//! Retention rules as a table: each row a VM's snapshots, a policy and what must be deleted.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::flow::safety::safety_labels;
use crate::model::Consistency;

const H: i64 = 3600;
const D: i64 = 24 * H;

fn now() -> Timestamp {
    "2026-11-26T09:00:00Z".parse().unwrap()
}

/// A snapshot of `vm` in `prod`, `age` seconds old (None: no time at all).
fn snap_of(vm: &str, name: &str, phase: SnapshotPhase, age: Option<i64>) -> SnapshotInfo {
    let t = age.map(|a| now() - SignedDuration::from_secs(a));
    SnapshotInfo {
        created: t,
        creation_time: t,
        consistency: Consistency::Offline,
        ..SnapshotInfo::new("prod", name, vm, phase)
    }
}

fn ok(name: &str, age: i64) -> SnapshotInfo {
    snap_of("db", name, SnapshotPhase::Succeeded, Some(age))
}

/// `n` Succeeded snapshots a day apart, newest first: `s1` a day old … `sN` N days old.
fn daily(n: i64) -> Vec<SnapshotInfo> {
    (1..=n).map(|i| ok(&format!("s{i}"), i * D)).collect()
}

fn failed(name: &str, age: i64) -> SnapshotInfo {
    snap_of("db", name, SnapshotPhase::Failed, Some(age))
}

fn safety(name: &str, age: i64) -> SnapshotInfo {
    let mut s = ok(name, age);
    s.labels = safety_labels();
    s
}

/// A Succeeded snapshot already being deleted.
fn deleting(name: &str, age: i64) -> SnapshotInfo {
    let mut s = ok(name, age);
    s.deleting = true;
    s
}

fn restore(ns: &str, snapshot: &str, complete: bool, error: Option<&str>) -> RestoreInfo {
    RestoreInfo {
        namespace: ns.into(),
        name: format!("restore-{snapshot}"),
        vm: "db".into(),
        snapshot: snapshot.into(),
        complete,
        restore_time: None,
        conditions: vec![],
        error: error.map(str::to_owned),
        created: None,
        safety_snapshot: None,
    }
}

fn keep(n: usize) -> RetentionPolicy {
    RetentionPolicy {
        keep: Some(n),
        ..RetentionPolicy::default()
    }
}

fn older(days: u64) -> RetentionPolicy {
    RetentionPolicy {
        older_than: Some(Duration::from_secs(days * 86_400)),
        ..RetentionPolicy::default()
    }
}

fn both(n: usize, days: u64) -> RetentionPolicy {
    RetentionPolicy {
        keep: Some(n),
        ..older(days)
    }
}

/// `policy` with `--include-safety`.
fn including_safety(policy: RetentionPolicy) -> RetentionPolicy {
    RetentionPolicy {
        include_safety: true,
        ..policy
    }
}

struct Case {
    name: &'static str,
    snapshots: Vec<SnapshotInfo>,
    restores: Vec<RestoreInfo>,
    policy: RetentionPolicy,
    /// Deleted snapshot names, in plan order (newest first per VM).
    delete: &'static [&'static str],
    /// Rules expected for some of the kept ones.
    kept: &'static [(&'static str, Rule)],
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "keep 2 of 5 deletes the 3 oldest",
            snapshots: daily(5),
            restores: vec![],
            policy: keep(2),
            delete: &["s3", "s4", "s5"],
            kept: &[("s1", Rule::NewestSucceeded), ("s2", Rule::WithinKeep)],
        },
        Case {
            name: "keep 0 still keeps the newest Succeeded",
            snapshots: vec![ok("s2", 2 * D), ok("s1", D)],
            restores: vec![],
            policy: keep(0),
            delete: &["s2"],
            kept: &[("s1", Rule::NewestSucceeded)],
        },
        Case {
            name: "older than 7d deletes only the old ones",
            snapshots: vec![ok("s1", D), ok("s8", 8 * D), ok("s30", 30 * D)],
            restores: vec![],
            policy: older(7),
            delete: &["s8", "s30"],
            kept: &[("s1", Rule::NewestSucceeded)],
        },
        Case {
            name: "older than never deletes the newest Succeeded however old",
            snapshots: vec![ok("s10", 10 * D), ok("s20", 20 * D)],
            restores: vec![],
            policy: both(0, 7),
            delete: &["s20"],
            kept: &[("s10", Rule::NewestSucceeded)],
        },
        Case {
            name: "exactly the age limit is not older than it",
            snapshots: vec![ok("new", H), ok("edge", 7 * D), ok("past", 7 * D + 1)],
            restores: vec![],
            policy: older(7),
            delete: &["past"],
            kept: &[("edge", Rule::YoungerThan)],
        },
        Case {
            name: "keep and older-than together delete only what both allow",
            snapshots: vec![
                ok("h1", H),
                ok("d2", 2 * D),
                ok("d10", 10 * D),
                ok("d20", 20 * D),
            ],
            restores: vec![],
            policy: both(1, 7),
            delete: &["d10", "d20"],
            kept: &[("h1", Rule::NewestSucceeded), ("d2", Rule::YoungerThan)],
        },
        Case {
            name: "failed snapshots go first and never take a keep slot",
            snapshots: vec![
                failed("f1", H),
                ok("s2", 2 * H),
                ok("s3", 3 * H),
                failed("f4", 4 * H),
                ok("s5", 5 * H),
            ],
            restores: vec![],
            policy: keep(2),
            delete: &["f1", "f4", "s5"],
            kept: &[("s2", Rule::NewestSucceeded), ("s3", Rule::WithinKeep)],
        },
        Case {
            name: "failed snapshots younger than the age limit stay",
            snapshots: vec![
                ok("s1", H),
                failed("f-young", 2 * H),
                failed("f-old", 10 * D),
            ],
            restores: vec![],
            policy: older(7),
            delete: &["f-old"],
            kept: &[("f-young", Rule::YoungerThan)],
        },
        Case {
            name: "a snapshot a restore in progress uses is never deleted",
            snapshots: daily(3),
            restores: vec![restore("prod", "s3", false, None)],
            policy: keep(0),
            delete: &["s2"],
            kept: &[("s1", Rule::NewestSucceeded), ("s3", Rule::InUseByRestore)],
        },
        Case {
            name: "finished, failed or foreign restores protect nothing",
            snapshots: daily(4),
            restores: vec![
                restore("prod", "s2", true, None),
                restore("prod", "s3", false, Some("failed")),
                restore("staging", "s4", false, None),
            ],
            policy: keep(1),
            delete: &["s2", "s3", "s4"],
            kept: &[("s1", Rule::NewestSucceeded)],
        },
        Case {
            name: "a safety snapshot younger than a day stays unless asked",
            snapshots: vec![
                ok("s1", H),
                safety("safe-young", 3 * H),
                safety("safe-old", 2 * D),
                ok("s4", 3 * D),
            ],
            restores: vec![],
            policy: keep(1),
            delete: &["safe-old", "s4"],
            kept: &[("safe-young", Rule::YoungSafety)],
        },
        Case {
            name: "include-safety lets young safety snapshots go",
            snapshots: vec![ok("s1", H), safety("safe-young", 3 * H)],
            restores: vec![],
            policy: including_safety(keep(0)),
            delete: &["safe-young"],
            kept: &[("s1", Rule::NewestSucceeded)],
        },
        Case {
            name: "with include-safety an old safety snapshot goes; the user's newest stays",
            snapshots: vec![safety("safe", 10 * D), ok("s2", 20 * D)],
            restores: vec![],
            policy: including_safety(both(0, 1)),
            delete: &["safe"],
            kept: &[("s2", Rule::NewestSucceeded)],
        },
        Case {
            name: "keep 1 right after a restore keeps the user's snapshot, not only the fresh safety one",
            snapshots: vec![safety("fresh", H), ok("mine", 3 * D), ok("older", 5 * D)],
            restores: vec![],
            policy: keep(1),
            delete: &["older"],
            kept: &[
                ("fresh", Rule::YoungSafety),
                ("mine", Rule::NewestSucceeded),
            ],
        },
        Case {
            name: "safety snapshots take keep slots among themselves only",
            snapshots: vec![
                ok("mine", D),
                safety("safe-2", 2 * D),
                ok("mine-3", 3 * D),
                safety("safe-4", 4 * D),
            ],
            restores: vec![],
            policy: keep(1),
            delete: &["mine-3", "safe-4"],
            kept: &[
                ("mine", Rule::NewestSucceeded),
                ("safe-2", Rule::WithinKeep),
            ],
        },
        Case {
            name: "a safety snapshot is the newest Succeeded only when the VM has no other",
            snapshots: vec![safety("safe", 10 * D), failed("f", 20 * D)],
            restores: vec![],
            policy: including_safety(both(0, 1)),
            delete: &["f"],
            kept: &[("safe", Rule::NewestSucceeded)],
        },
        Case {
            name: "unfinished, deleting and timeless snapshots are left alone",
            snapshots: vec![
                ok("s1", D),
                snap_of("db", "running", SnapshotPhase::InProgress, Some(30 * D)),
                snap_of("db", "pending", SnapshotPhase::Pending, None),
                snap_of("db", "timeless", SnapshotPhase::Failed, None),
                deleting("going", 40 * D),
                ok("old", 50 * D),
            ],
            restores: vec![],
            policy: keep(0),
            delete: &["old"],
            kept: &[
                ("running", Rule::NotFinished),
                ("pending", Rule::NotFinished),
                ("timeless", Rule::TimeUnknown),
                ("going", Rule::AlreadyDeleting),
            ],
        },
        Case {
            name: "a deleting snapshot is not the newest Succeeded",
            snapshots: vec![deleting("going", H), ok("s2", D), ok("s3", 2 * D)],
            restores: vec![],
            policy: keep(0),
            delete: &["s3"],
            kept: &[
                ("s2", Rule::NewestSucceeded),
                ("going", Rule::AlreadyDeleting),
            ],
        },
        Case {
            name: "no policy deletes nothing",
            snapshots: [daily(2), vec![failed("f", 3 * D)]].concat(),
            restores: vec![],
            policy: RetentionPolicy::default(),
            delete: &[],
            kept: &[("s2", Rule::NoPolicy), ("f", Rule::NoPolicy)],
        },
        Case {
            name: "each VM keeps its own newest",
            snapshots: vec![
                ok("db-1", D),
                ok("db-2", 2 * D),
                snap_of("web", "web-1", SnapshotPhase::Succeeded, Some(30 * D)),
                snap_of("web", "web-2", SnapshotPhase::Succeeded, Some(40 * D)),
            ],
            restores: vec![],
            policy: both(0, 7),
            delete: &["web-2"],
            kept: &[
                ("db-1", Rule::NewestSucceeded),
                ("db-2", Rule::YoungerThan),
                ("web-1", Rule::NewestSucceeded),
            ],
        },
    ]
}

#[test]
fn retention_table() {
    for c in cases() {
        let plan = plan_retention(&c.snapshots, &c.restores, now(), &c.policy);
        let deleted: Vec<&str> = plan.delete.iter().map(|d| d.snapshot.as_str()).collect();
        assert_eq!(deleted, c.delete, "{}: {plan:#?}", c.name);
        assert_eq!(
            plan.delete.len() + plan.keep.len(),
            c.snapshots.len(),
            "{}: every snapshot decided once",
            c.name
        );
        for (name, rule) in c.kept {
            let d = plan
                .decision("prod", name)
                .unwrap_or_else(|| panic!("{}: no decision for {name}", c.name));
            assert_eq!(d.rule, *rule, "{}: {name}: {}", c.name, d.reason);
            assert!(!d.rule.deletes(), "{}: {name}", c.name);
        }
        assert!(plan.delete.iter().all(|d| d.rule.deletes()), "{}", c.name);
    }
}

#[test]
fn reasons_say_why_in_the_users_terms() {
    let snaps = vec![
        ok("s1", H),
        failed("f", 3 * D),
        safety("safe", 3 * H),
        ok("s3", 10 * D),
        ok("s4", 12 * D),
    ];
    let restores = vec![restore("prod", "s3", false, None)];
    let plan = plan_retention(&snaps, &restores, now(), &keep(1));
    let reason = |n: &str| plan.decision("prod", n).unwrap().reason.clone();
    assert_eq!(
        reason("s1"),
        "the newest Succeeded snapshot of VM db, always kept"
    );
    assert_eq!(reason("f"), "Failed (3d old): it cannot be restored");
    assert_eq!(
        reason("safe"),
        "safety snapshot taken before a restore 3h ago, kept for a day (--include-safety to prune it)"
    );
    assert_eq!(
        reason("s3"),
        "restore restore-s3 is using it and has not finished"
    );
    assert_eq!(
        reason("s4"),
        "not among the 1 newest Succeeded snapshots of VM db, and 12d old"
    );
    let plan = plan_retention(&snaps, &[], now(), &older(7));
    assert_eq!(
        plan.decision("prod", "s4").unwrap().reason,
        "12d old, older than 7d"
    );
    assert!(plan.decision("prod", "safe").unwrap().safety);
}

#[test]
fn plan_serialises_rules_in_camel_case() {
    let plan = plan_retention(&[ok("s1", H), ok("s2", D)], &[], now(), &keep(0));
    let v = serde_json::to_value(&plan).unwrap();
    assert_eq!(v["delete"][0]["snapshot"], "s2");
    assert_eq!(v["delete"][0]["rule"], "beyondKeep");
    assert_eq!(v["keep"][0]["rule"], "newestSucceeded");
    assert_eq!(v["keep"][0]["phase"], "Succeeded");
}

#[test]
fn empty_policy_is_reported_so_the_command_can_refuse() {
    assert!(RetentionPolicy::default().is_empty());
    assert!(!keep(0).is_empty());
    assert!(!older(1).is_empty());
}

/// `doomed`: the snapshots behind the delete decisions, found by an index.
mod doomed_snapshots {
    use super::*;

    #[test]
    fn are_the_deleted_ones_in_plan_order_each_the_object_read() {
        let mut snaps = daily(6);
        for s in &mut snaps {
            s.uid = Some(format!("uid-{}", s.name));
        }
        // The same name in another namespace is another snapshot.
        let mut elsewhere = snap_of("db", "s5", SnapshotPhase::Succeeded, Some(9 * D));
        elsewhere.namespace = "staging".into();
        elsewhere.uid = Some("uid-staging".into());
        snaps.push(elsewhere);
        let policy = keep(2);
        let prod: Vec<SnapshotInfo> = snaps
            .iter()
            .filter(|s| s.namespace == "prod")
            .cloned()
            .collect();
        let plan = plan_retention(&prod, &[], now(), &policy);
        let doomed = doomed(snaps, &plan);
        let names: Vec<&str> = doomed.iter().map(|s| s.name.as_str()).collect();
        let planned: Vec<&str> = plan.delete.iter().map(|d| d.snapshot.as_str()).collect();
        assert_eq!(names, planned);
        assert_eq!(names, ["s3", "s4", "s5", "s6"]);
        assert_eq!(doomed[0].uid.as_deref(), Some("uid-s3"));
        assert!(doomed.iter().all(|s| s.namespace == "prod"));
    }

    #[test]
    fn a_retention_row_plans_as_the_full_snapshot_does() {
        let mut full = vec![
            ok("s1", D),
            ok("s2", 2 * D),
            safety("safe", 3 * D),
            ok("s4", 4 * D),
        ];
        for s in &mut full {
            s.labels.insert("app".into(), "db".into());
            s.included_volumes = vec!["rootdisk".into()];
            s.conditions = vec![crate::model::Condition {
                type_: "Ready".into(),
                status: "True".into(),
                reason: None,
                message: Some("Operation complete".into()),
                last_transition: None,
            }];
        }
        let rows: Vec<SnapshotInfo> = full.iter().cloned().map(retention_row).collect();
        let policy = keep(1);
        assert_eq!(
            plan_retention(&rows, &[], now(), &policy),
            plan_retention(&full, &[], now(), &policy)
        );
        let safe = rows.iter().find(|s| s.name == "safe").unwrap();
        assert!(is_safety_snapshot(&safe.labels), "the safety label stays");
        assert!(rows.iter().all(|s| s.conditions.is_empty()
            && s.included_volumes.is_empty()
            && !s.labels.contains_key("app")));
    }
}
