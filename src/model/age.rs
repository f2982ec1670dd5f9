//! kubectl's AGE column: an exact port of apimachinery's `duration.HumanDuration`.

use jiff::{SignedDuration, Timestamp};

/// Age of `t` at `now` as kubectl prints it; `<unknown>` when there is no timestamp.
pub fn age(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) => human_duration(now.duration_since(t)),
        None => "<unknown>".to_string(),
    }
}

/// `k8s.io/apimachinery/pkg/util/duration.HumanDuration`, rule for rule.
pub fn human_duration(d: SignedDuration) -> String {
    // Go's int(d.Seconds()) truncates toward zero.
    let seconds = d.as_secs();
    if seconds < -1 {
        return "<invalid>".to_string();
    } else if seconds < 0 {
        return "0s".to_string();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return units(minutes, 'm', seconds % 60, 's');
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        return units(hours, 'h', minutes % 60, 'm');
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        return units(hours / 24, 'd', hours % 24, 'h');
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        return units(hours / 24 / 365, 'y', (hours / 24) % 365, 'd');
    }
    format!("{}y", hours / 24 / 365)
}

/// `3m10s`, or `3m` when the smaller unit is zero (Go's `fmt.Sprintf` pairs in HumanDuration).
fn units(major: i64, major_unit: char, minor: i64, minor_unit: char) -> String {
    if minor == 0 {
        format!("{major}{major_unit}")
    } else {
        format!("{major}{major_unit}{minor}{minor_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hd(secs: i64) -> String {
        human_duration(SignedDuration::from_secs(secs))
    }

    // The cases of apimachinery's duration_test.go TestHumanDuration.
    #[test]
    fn matches_kubectl_for_every_rule() {
        let cases: &[(i64, &str)] = &[
            (1, "1s"),
            (70, "70s"),
            (190, "3m10s"),
            (70 * 60, "70m"),
            (47 * 60, "47m"),
            (3 * 3600, "3h"),
            (4 * 3600 + 30 * 60, "4h30m"),
            (8 * 3600 + 5 * 60, "8h"),
            (47 * 3600 + 59 * 60, "47h"),
            (49 * 3600, "2d1h"),
            (8 * 24 * 3600 - 1, "7d23h"),
            (8 * 24 * 3600, "8d"),
            (367 * 24 * 3600, "367d"),
            (2 * 365 * 24 * 3600 + 25 * 24 * 3600, "2y25d"),
            (3 * 365 * 24 * 3600, "3y"),
            (8 * 365 * 24 * 3600, "8y"),
            (9 * 365 * 24 * 3600 + 100 * 24 * 3600, "9y"),
        ];
        for (secs, want) in cases {
            assert_eq!(hd(*secs), *want, "{secs}s");
        }
    }

    #[test]
    fn edges_of_each_rule() {
        assert_eq!(hd(0), "0s");
        assert_eq!(hd(119), "119s");
        assert_eq!(hd(120), "2m");
        assert_eq!(hd(5 * 60 + 30), "5m30s");
        assert_eq!(hd(10 * 60), "10m");
        assert_eq!(hd(95 * 60), "95m");
        assert_eq!(hd(3 * 3600 + 12 * 60), "3h12m");
        assert_eq!(hd(30 * 3600), "30h");
        assert_eq!(hd(48 * 3600), "2d");
        assert_eq!(hd(2 * 86400 + 5 * 3600), "2d5h");
        assert_eq!(hd(12 * 86400), "12d");
        assert_eq!(hd(385 * 86400), "385d");
    }

    #[test]
    fn small_clock_skew_reads_as_now_and_larger_as_invalid() {
        assert_eq!(human_duration(SignedDuration::from_millis(-1500)), "0s");
        assert_eq!(hd(-1), "0s");
        assert_eq!(hd(-2), "<invalid>");
    }

    #[test]
    fn missing_timestamp_is_unknown() {
        let now: Timestamp = "2026-11-26T10:00:00Z".parse().unwrap();
        assert_eq!(age(None, now), "<unknown>");
        let t: Timestamp = "2026-11-26T09:15:00Z".parse().unwrap();
        assert_eq!(age(Some(t), now), "45m");
    }
}
