//! What a name, a label or a duration typed on the command line must look like, checked as
//! Kubernetes checks them, before anything is sent. A leaf: it imports nothing of the crate.
//!
//! Durations are in kubectl's spelling: `30s`, `5m`, `1h30m`, a bare number of seconds, and
//! days (`7d`) for retention ages.

use std::collections::BTreeMap;
use std::time::Duration;

/// Parses `--timeout` / `--request-timeout` / `--older-than` values: Go-style `1h2m3s` (also
/// `ms`, and `d` for 24 hours, which Go lacks but retention ages need), or a bare integer
/// meaning seconds, as kubectl accepts. `0` is a zero duration.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".to_string());
    }
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad(s));
        }
        let value: f64 = rest[..digits].parse().map_err(|_| bad(s))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => return Err(bad(s)),
        };
        let part = Duration::try_from_secs_f64(value * factor).map_err(|_| bad(s))?;
        total = total.checked_add(part).ok_or_else(|| bad(s))?;
    }
    Ok(total)
}

/// Validates a `metav1.Duration` for the API (`--failure-deadline`): Go syntax with a unit
/// on every number (`5m`, `1h30m`, `90s`); a bare `0` is allowed. Returns the text unchanged.
pub fn parse_go_duration(s: &str) -> Result<String, String> {
    if s == "0" {
        return Ok(s.to_string());
    }
    if s.parse::<f64>().is_ok() {
        return Err(format!(
            "invalid duration {s:?}: add a unit, e.g. {s}m or {s}s"
        ));
    }
    // Go's time.ParseDuration has no days: the API server would refuse them.
    if s.contains('d') {
        return Err(format!(
            "invalid duration {s:?}: the API takes hours at most, e.g. 24h instead of 1d"
        ));
    }
    parse_duration(s)?;
    Ok(s.to_string())
}

fn bad(s: &str) -> String {
    format!("invalid duration {s:?}: use a number with a unit, e.g. 30s, 5m, 1h30m, 7d")
}

/// A DNS-1123 subdomain, as Kubernetes requires for object names: at most 253 characters,
/// dot-separated parts of lowercase letters, digits and '-', each starting and ending with a
/// letter or digit.
pub fn parse_dns1123_subdomain(s: &str) -> Result<String, String> {
    if s.len() <= 253 && !s.is_empty() && s.split('.').all(|p| is_label_part(p, false)) {
        return Ok(s.to_string());
    }
    Err(format!(
        "{s:?} is not a valid Kubernetes name: use at most 253 lowercase letters, digits, \
         '-' or '.', each '.'-separated part starting and ending with a letter or digit"
    ))
}

/// A DNS-1123 label, as Kubernetes requires for namespaces: one part of a subdomain (see
/// [`parse_dns1123_subdomain`]) of at most 63 characters.
pub fn parse_dns1123_label(s: &str) -> Result<String, String> {
    if s.len() <= 63 && is_label_part(s, false) {
        return Ok(s.to_string());
    }
    Err(format!(
        "{s:?} is not a valid namespace name: use at most 63 lowercase letters, digits or '-', \
         starting and ending with a letter or digit"
    ))
}

/// One part of a name: non-empty, alphanumeric at both ends, '-' inside (and '_' and '.'
/// too, and upper case, for label names and values: `qualified`).
fn is_label_part(p: &str, qualified: bool) -> bool {
    let alnum = |c: char| {
        c.is_ascii_digit() || c.is_ascii_lowercase() || (qualified && c.is_ascii_uppercase())
    };
    let inner = |c: char| alnum(c) || c == '-' || (qualified && (c == '_' || c == '.'));
    !p.is_empty()
        && p.chars().next().is_some_and(alnum)
        && p.chars().last().is_some_and(alnum)
        && p.chars().all(inner)
}

/// `KEY=VALUE` for `--label`, checked as Kubernetes checks labels: KEY is `[prefix/]name`
/// with a DNS-subdomain prefix and a name of at most 63 characters; VALUE is empty or like
/// a name.
pub fn parse_label(s: &str) -> Result<(String, String), String> {
    let bad = || {
        format!(
            "{s:?} is not a valid label: KEY=VALUE, KEY as [prefix/]name (name and value: at \
             most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)"
        )
    };
    let (k, v) = s.split_once('=').ok_or_else(bad)?;
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let prefix_ok = prefix.is_none_or(|p| parse_dns1123_subdomain(p).is_ok());
    let name_ok = name.len() <= 63 && is_label_part(name, true);
    let value_ok = v.is_empty() || (v.len() <= 63 && is_label_part(v, true));
    if prefix_ok && name_ok && value_ok {
        Ok((k.to_string(), v.to_string()))
    } else {
        Err(bad())
    }
}

/// VM Operator's documented bounds for `spec.quiesce.timeout`.
pub const QUIESCE_MIN: Duration = Duration::from_secs(5 * 60);
pub const QUIESCE_MAX: Duration = Duration::from_secs(240 * 60);

/// A whole-second duration as Go's `time.Duration.String()` writes it, trailing zero units
/// left out: `5m`, `1m30s`, `1h30m`, `1h0m30s` (never `1h30s`: Go keeps a zero unit between
/// two others), `0s`. Every duration the plugin shows (wait timeouts) and VM Operator's
/// `spec.quiesce.timeout` (read with `time.ParseDuration`) are written by it.
pub fn go_duration(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h{m}m"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

/// Parses `--quiesce-timeout` (`10m`, `1h`, `1h30m`, `300s`) and checks VM Operator's bounds.
/// `10min` (the docs' spelling) is refused: Go does not read it.
pub fn parse_quiesce_timeout(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let mut total = 0u64;
    let mut rest = t;
    if rest.is_empty() {
        return Err("the quiesce timeout is empty".into());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("{t:?} is not a duration such as 10m, 1h or 1h30m"))?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit] {
            "h" => 3600,
            "m" => 60,
            "s" => 1,
            "min" | "mins" => {
                return Err(format!(
                    "{t:?} is not a Go duration: write minutes as \"m\" (e.g. {}m)",
                    n
                ));
            }
            _ => return Err(format!("{t:?} is not a duration such as 10m, 1h or 1h30m")),
        };
        total = total.saturating_add(n.saturating_mul(factor));
        rest = &rest[unit..];
    }
    let d = Duration::from_secs(total);
    if d < QUIESCE_MIN || d > QUIESCE_MAX {
        return Err(format!(
            "the quiesce timeout must be between 5m and 240m (VM Operator's limits), not {}",
            go_duration(d)
        ));
    }
    Ok(d)
}

/// A MAC written as six hex pairs separated by `:` or `-`.
pub fn valid_mac(mac: &str) -> bool {
    let parts: Vec<&str> = mac.split([':', '-']).collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
        && !(mac.contains(':') && mac.contains('-'))
}

/// Parses `--new-mac-addresses` values: `IFACE=MAC` pairs, comma-separated or repeated.
pub fn parse_new_mac_addresses<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for pair in values.into_iter().flat_map(|v| v.split(',')) {
        let pair = pair.trim();
        if pair.is_empty() {
            continue;
        }
        let (iface, mac) = pair
            .split_once('=')
            .ok_or_else(|| format!("{pair:?} is not INTERFACE=MAC"))?;
        if iface.is_empty() || !valid_mac(mac) {
            return Err(format!(
                "{pair:?} is not INTERFACE=MAC (a MAC is six hex pairs, e.g. 02:00:00:aa:bb:cc)"
            ));
        }
        if out.insert(iface.to_owned(), mac.to_owned()).is_some() {
            return Err(format!("interface {iface} is given two MAC addresses"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_go_durations_and_bare_seconds() {
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("42"), Ok(Duration::from_secs(42)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn days_are_24_hours_and_combine_with_other_units() {
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86400)));
        assert_eq!(parse_duration("1d12h"), Ok(Duration::from_secs(36 * 3600)));
        assert_eq!(parse_duration("0.5d"), Ok(Duration::from_secs(43200)));
        assert!(parse_duration("999999999999999d").is_err());
    }

    #[test]
    fn huge_numbers_are_errors_not_panics() {
        assert!(parse_duration("99999999999999999999h").is_err());
        assert!(parse_duration("18446744073709551615s18446744073709551615s").is_err());
    }

    #[test]
    fn rejects_garbage() {
        for s in ["", "m5", "5 minutes", "5w", "-1s", "1h-2m", "d", "7 d"] {
            assert!(parse_duration(s).is_err(), "{s}");
        }
    }

    #[test]
    fn durations_are_written_as_go_writes_them() {
        for (secs, text) in [
            (0, "0s"),
            (45, "45s"),
            (90, "1m30s"),
            (300, "5m"),
            (3600, "1h"),
            (3630, "1h0m30s"),
            (5400, "1h30m"),
            (5430, "1h30m30s"),
        ] {
            let d = Duration::from_secs(secs);
            assert_eq!(go_duration(d), text, "{secs}s");
            // What is written reads back as the same duration.
            assert_eq!(parse_duration(text), Ok(d), "{text}");
        }
    }

    #[test]
    fn failure_deadline_needs_units() {
        assert_eq!(parse_go_duration("10m"), Ok("10m".to_string()));
        assert_eq!(parse_go_duration("0"), Ok("0".to_string()));
        assert!(parse_go_duration("10").is_err());
        assert!(parse_go_duration("1d").is_err());
    }
}
