//! Names, labels and the undo command of vmsnap's own snapshots: safety snapshots taken before a restore, generated batch names.
//!
//! Provider-neutral: every provider names its snapshot objects, and retention (in this
//! module's sibling) must recognise safety snapshots whatever took them.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;

/// Label saying why vmsnap took a snapshot. The one place this key is spelled.
pub const PURPOSE_LABEL: &str = "vmsnap.io/purpose";
/// [`PURPOSE_LABEL`] value of a safety snapshot taken just before a restore.
pub const PURPOSE_PRE_RESTORE: &str = "pre-restore";
/// Annotation on a safety snapshot: the snapshot whose restore it guards.
pub const RESTORING_ANNOTATION: &str = "vmsnap.io/restoring-snapshot";
/// Annotation on a safety snapshot: the command that undoes the restore.
pub const UNDO_ANNOTATION: &str = "vmsnap.io/undo";
/// Label for the VirtualMachineRestore: the safety snapshot that undoes it (a label value, so
/// safety names stay within 63 characters).
pub const SAFETY_SNAPSHOT_LABEL: &str = "vmsnap.io/safety-snapshot";
/// Longest DNS-1123 label (and label value).
pub const DNS1123_LABEL_MAX: usize = 63;
/// Longest DNS-1123 subdomain (most object names).
pub const DNS1123_SUBDOMAIN_MAX: usize = 253;
/// Retention keeps a safety snapshot at least this long unless told otherwise.
pub const SAFETY_MIN_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// `YYYYMMDD-HHMMSS` in UTC, the clock part of every generated name.
pub fn timestamp_suffix(ts: Timestamp) -> String {
    ts.strftime("%Y%m%d-%H%M%S").to_string()
}

/// FNV-1a: a stable short hash with no dependency (names must not change between runs).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// `<base>-<suffix>` within `max` characters. When too long, `base` is cut and a 6-hex-digit
/// hash of the whole base is inserted, so two long names that share a prefix stay distinct:
/// `<base cut>-<hash>-<suffix>`. The cut never leaves a trailing `-` or `.`.
pub fn fit_name(base: &str, suffix: &str, max: usize) -> String {
    let full = format!("{base}-{suffix}");
    if full.len() <= max {
        return full;
    }
    let hash = format!("{:06x}", fnv1a(base) & 0xff_ffff);
    // base-cut + "-" + hash + "-" + suffix
    let room = max.saturating_sub(suffix.len() + hash.len() + 2);
    // Names are ASCII (DNS-1123), but never split a char whatever comes in.
    let mut cut = room.min(base.len());
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    let kept = base[..cut].trim_end_matches(['-', '.']);
    if kept.is_empty() {
        format!("{hash}-{suffix}")
    } else {
        format!("{kept}-{hash}-{suffix}")
    }
}

/// `<vm>-pre-restore-<YYYYMMDD-HHMMSS>`, at most 63 characters (hashed when the VM name is long).
pub fn safety_snapshot_name(vm: &str, now: Timestamp) -> String {
    fit_name(
        vm,
        &format!("pre-restore-{}", timestamp_suffix(now)),
        DNS1123_LABEL_MAX,
    )
}

/// `<vm>-snapshot-<YYYYMMDD-HHMMSS>` in UTC, the name `create` proposes for one VM (checked
/// like a name the user typed: too long is an error that asks for `--name`).
pub fn generated_name(vm: &str, now: Timestamp) -> String {
    format!("{vm}-snapshot-{}", now.strftime("%Y%m%d-%H%M%S"))
}

/// `<vm>-snapshot-<YYYYMMDD-HHMMSS>`, the name `create -l` generates, within 253 characters.
pub fn generated_snapshot_name(vm: &str, now: Timestamp) -> String {
    fit_name(
        vm,
        &format!("snapshot-{}", timestamp_suffix(now)),
        DNS1123_SUBDOMAIN_MAX,
    )
}

/// The labels of a safety snapshot.
pub fn safety_labels() -> BTreeMap<String, String> {
    BTreeMap::from([(PURPOSE_LABEL.to_owned(), PURPOSE_PRE_RESTORE.to_owned())])
}

/// The annotations of a safety snapshot: what it guards and how to undo.
pub fn safety_annotations(
    namespace: &str,
    vm: &str,
    safety: &str,
    restoring: &str,
) -> BTreeMap<String, String> {
    BTreeMap::from([
        (RESTORING_ANNOTATION.to_owned(), restoring.to_owned()),
        (
            UNDO_ANNOTATION.to_owned(),
            undo_command(namespace, vm, safety),
        ),
    ])
}

/// Whether a snapshot's labels mark it as a safety snapshot.
pub fn is_safety_snapshot(labels: &BTreeMap<String, String>) -> bool {
    labels.get(PURPOSE_LABEL).map(String::as_str) == Some(PURPOSE_PRE_RESTORE)
}

/// The command that puts the VM back as it was before the restore.
pub fn undo_command(namespace: &str, vm: &str, safety: &str) -> String {
    format!("kubectl vmsnap restore {vm} --snapshot {safety} -n {namespace}")
}

/// What the restore preview says when `--no-safety-snapshot` is given: what is lost.
pub fn no_safety_snapshot_warning(namespace: &str, vm: &str) -> String {
    format!(
        "no safety snapshot: VM {namespace}/{vm}'s current disks and configuration will be replaced, \
         and nothing can undo the restore (without --no-safety-snapshot, a snapshot of the VM as it \
         is now is taken first, and the report prints the command that undoes the restore)"
    )
}

/// `--name`, or the generated name checked like one.
pub fn snapshot_name(
    args: &crate::cli::CreateArgs,
    now: Timestamp,
) -> Result<String, crate::error::UserError> {
    match &args.name {
        Some(n) => Ok(n.clone()),
        None => crate::names::parse_dns1123_subdomain(&generated_name(
            args.vm.as_deref().unwrap_or(""),
            now,
        ))
        .map_err(|e| crate::error::UserError::usage(e).hint("choose a shorter name with --name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_use_utc_clock_time() {
        let now: Timestamp = "2026-11-26T10:00:00Z".parse().unwrap();
        assert_eq!(
            generated_name("database-01", now),
            "database-01-snapshot-20261126-100000"
        );
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn is_dns1123(s: &str) -> bool {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric())
    }

    #[test]
    fn safety_name_is_vm_pre_restore_and_utc_clock_time() {
        let ts = at("2026-11-26T09:05:07Z");
        assert_eq!(
            safety_snapshot_name("database-01", ts),
            "database-01-pre-restore-20261126-090507"
        );
        assert_eq!(
            generated_snapshot_name("database-01", ts),
            "database-01-snapshot-20261126-090507"
        );
        // An offset timestamp prints in UTC.
        assert_eq!(
            timestamp_suffix(at("2026-11-26T10:05:07+01:00")),
            "20261126-090507"
        );
    }

    #[test]
    fn long_vm_names_are_cut_and_hashed_within_63_characters() {
        let ts = at("2026-11-26T09:05:07Z");
        let cases = [
            "a".repeat(63),
            format!("{}-x", "b".repeat(60)),
            "app.with.dots.and-a-very-long-name-that-goes-on-and-on".to_owned(),
            "very-long-vm-name-that-exceeds-the-limit-because-of-the-suffix".to_owned(),
        ];
        for vm in &cases {
            let n = safety_snapshot_name(vm, ts);
            assert!(n.len() <= 63, "{n} ({} chars)", n.len());
            assert!(is_dns1123(&n), "{n}");
            assert!(n.ends_with("-pre-restore-20261126-090507"), "{n}");
        }
        // A name that fits exactly is not touched.
        let exact = "v".repeat(63 - "-pre-restore-20261126-090507".len());
        assert_eq!(
            safety_snapshot_name(&exact, ts),
            format!("{exact}-pre-restore-20261126-090507")
        );
    }

    #[test]
    fn cut_names_sharing_a_prefix_stay_distinct_and_stable() {
        let ts = at("2026-11-26T09:05:07Z");
        let a = safety_snapshot_name(&format!("{}-one", "shared-prefix".repeat(4)), ts);
        let b = safety_snapshot_name(&format!("{}-two", "shared-prefix".repeat(4)), ts);
        assert_ne!(a, b);
        assert_eq!(
            a,
            safety_snapshot_name(&format!("{}-one", "shared-prefix".repeat(4)), ts)
        );
    }

    #[test]
    fn fit_name_never_leaves_a_dash_or_dot_before_the_hash() {
        let n = fit_name("abc-.-----------------", "suffix", 20);
        assert!(n.len() <= 20, "{n}");
        assert!(!n.contains("--") && !n.contains(".-"), "{n}");
        assert!(is_dns1123(&n), "{n}");
        // No room for any of the base: hash and suffix alone.
        let n = fit_name("whatever", "suffix", 13);
        assert_eq!(n.len(), 13, "{n}");
        assert!(n.ends_with("-suffix"));
    }

    #[test]
    fn safety_labels_mark_and_recognise_a_safety_snapshot() {
        let labels = safety_labels();
        assert_eq!(labels["vmsnap.io/purpose"], "pre-restore");
        assert!(is_safety_snapshot(&labels));
        assert!(!is_safety_snapshot(&BTreeMap::new()));
        let other = BTreeMap::from([(PURPOSE_LABEL.to_owned(), "nightly".to_owned())]);
        assert!(!is_safety_snapshot(&other));
    }

    #[test]
    fn undo_command_restores_the_safety_snapshot_in_the_namespace() {
        assert_eq!(
            undo_command("prod", "db", "db-pre-restore-20261126-090507"),
            "kubectl vmsnap restore db --snapshot db-pre-restore-20261126-090507 -n prod"
        );
        assert!(
            no_safety_snapshot_warning("prod", "db")
                .starts_with("no safety snapshot: VM prod/db's current disks and configuration")
        );
        let a = safety_annotations("prod", "db", "db-pre-restore-x", "nightly");
        assert_eq!(a[RESTORING_ANNOTATION], "nightly");
        assert_eq!(
            a[UNDO_ANNOTATION],
            "kubectl vmsnap restore db --snapshot db-pre-restore-x -n prod"
        );
    }
}
