//! Generated inputs for the parsers of user input (names, durations, labels, selectors),
//! from a fixed-seed generator so every run tries the same cases. Each property names the
//! reference it is checked against; the seed and case are printed on failure.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use kubectl_vmsnap::names::{
    parse_dns1123_subdomain, parse_duration, parse_go_duration, parse_label,
};

use crate::kit::assert_no_writes;
use crate::support::TestSim;

/// xorshift64*: tiny, deterministic, good enough to spread cases.
struct Gen(u64);

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// A string of up to `max` characters, mostly from `alphabet`, sometimes anything.
    fn text(&mut self, alphabet: &str, max: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let len = match self.below(10) {
            0 => max + self.below(8),
            1 => 0,
            _ => self.below(max.min(24) + 1),
        };
        (0..len)
            .map(|_| {
                if self.below(40) == 0 {
                    ['É', 'ß', ' ', '\t', '/', '=', '😀', 'A', '_', '\0'][self.below(10)]
                } else {
                    chars[self.below(chars.len())]
                }
            })
            .collect()
    }
}

const CASES: usize = 20_000;

/// Kubernetes' IsDNS1123Subdomain: `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`, ≤ 253.
fn k8s_subdomain(s: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && alnum(b[0])
                && alnum(b[b.len() - 1])
                && b.iter().all(|&c| alnum(c) || c == b'-')
        })
}

/// Kubernetes' label name / value part: ≤ 63, `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
fn k8s_label_part(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_alphanumeric();
    !b.is_empty()
        && b.len() <= 63
        && alnum(b[0])
        && alnum(b[b.len() - 1])
        && b.iter()
            .all(|&c| alnum(c) || matches!(c, b'-' | b'_' | b'.'))
}

/// Kubernetes' label key=value (IsQualifiedName for the key, IsValidLabelValue for the value).
fn k8s_label(s: &str) -> bool {
    let Some((k, v)) = s.split_once('=') else {
        return false;
    };
    let key_ok = match k.split_once('/') {
        Some((prefix, name)) => k8s_subdomain(prefix) && k8s_label_part(name),
        None => k8s_label_part(k),
    };
    key_ok && (v.is_empty() || k8s_label_part(v))
}

const NAME_ALPHABET: &str = "abcz09-.-.";

#[test]
fn dns1123_names_never_panic_and_accepted_names_are_lowercase_and_short() {
    let mut g = Gen::new(0x5eed_0001);
    for _ in 0..CASES {
        let s = g.text(NAME_ALPHABET, 253);
        if let Ok(name) = parse_dns1123_subdomain(&s) {
            assert_eq!(name, s);
            assert!(s.len() <= 253, "{s:?}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'.'),
                "{s:?}"
            );
        }
    }
}

#[test]
fn dns1123_parser_accepts_what_kubernetes_accepts() {
    // One direction holds: nothing Kubernetes accepts is refused.
    let mut g = Gen::new(0x5eed_0002);
    for _ in 0..CASES {
        let s = g.text(NAME_ALPHABET, 253);
        if k8s_subdomain(&s) {
            assert!(parse_dns1123_subdomain(&s).is_ok(), "refused valid {s:?}");
        }
    }
}

#[test]
fn dns1123_parser_agrees_with_kubernetes() {
    let mut g = Gen::new(0x5eed_0003);
    for _ in 0..CASES {
        let s = g.text(NAME_ALPHABET, 253);
        assert_eq!(
            parse_dns1123_subdomain(&s).is_ok(),
            k8s_subdomain(&s),
            "disagreement on {s:?}"
        );
    }
}

/// Go-style durations built from parts, with the exact value they mean.
fn gen_duration(g: &mut Gen) -> (String, Duration) {
    let mut text = String::new();
    let mut total = Duration::ZERO;
    for (unit, secs) in [("h", 3600u64), ("m", 60), ("s", 1)] {
        if g.below(2) == 0 {
            let n = g.below(100) as u64;
            text.push_str(&format!("{n}{unit}"));
            total += Duration::from_secs(n * secs);
        }
    }
    if g.below(3) == 0 {
        let n = g.below(1000) as u64;
        text.push_str(&format!("{n}ms"));
        total += Duration::from_millis(n);
    }
    if text.is_empty() {
        let n = g.below(100_000) as u64;
        return (n.to_string(), Duration::from_secs(n));
    }
    (text, total)
}

#[test]
fn durations_built_from_parts_parse_to_their_exact_value() {
    let mut g = Gen::new(0x5eed_0004);
    for _ in 0..CASES {
        let (text, want) = gen_duration(&mut g);
        assert_eq!(parse_duration(&text), Ok(want), "{text:?}");
    }
}

#[test]
fn go_durations_require_a_unit_and_accept_what_parse_duration_accepts() {
    let mut g = Gen::new(0x5eed_0005);
    for _ in 0..CASES {
        let s = g.text("0123456789.hms", 12);
        match parse_go_duration(&s) {
            Ok(v) => {
                assert_eq!(v, s);
                assert!(s == "0" || s.parse::<f64>().is_err(), "unitless {s:?}");
                assert!(parse_duration(&s).is_ok(), "{s:?}");
            }
            Err(e) => assert!(e.contains("duration"), "{s:?}: {e}"),
        }
    }
}

#[test]
fn duration_errors_always_name_the_expected_form() {
    let mut g = Gen::new(0x5eed_0006);
    for _ in 0..CASES {
        // Short numbers only: huge ones have their own test below.
        let s = g.text("0123456789.hmsun -", 6);
        if let Err(e) = parse_duration(&s) {
            assert!(e.contains("duration"), "{s:?}: {e}");
        }
    }
}

#[test]
fn durations_never_panic_on_huge_numbers() {
    for s in [
        "99999999999999999999h",
        "1e400s",
        "184467440737095516160s",
        "9999999999999999999999999m1s",
    ] {
        let r = catch_unwind(AssertUnwindSafe(|| parse_duration(s)));
        assert!(r.is_ok(), "parse_duration panicked on {s:?}");
        assert!(r.is_ok_and(|v| v.is_err()), "{s:?} accepted");
    }
}

#[test]
fn labels_never_panic_and_accepted_ones_round_trip() {
    let mut g = Gen::new(0x5eed_0007);
    for _ in 0..CASES {
        let s = g.text("ab09-_./=", 70);
        if let Ok((k, v)) = parse_label(&s) {
            assert_eq!(format!("{k}={v}"), s);
            assert!(v.len() <= 63, "{s:?}");
        }
    }
}

#[test]
fn label_parser_accepts_what_kubernetes_accepts() {
    let mut g = Gen::new(0x5eed_0008);
    for _ in 0..CASES {
        let s = g.text("ab09-_./=", 70);
        if k8s_label(&s) {
            assert!(parse_label(&s).is_ok(), "refused valid {s:?}");
        }
    }
}

#[test]
fn label_parser_agrees_with_kubernetes() {
    let mut g = Gen::new(0x5eed_0009);
    for _ in 0..CASES {
        let s = g.text("ab09-_./=", 70);
        assert_eq!(
            parse_label(&s).is_ok(),
            k8s_label(&s),
            "disagreement on {s:?}"
        );
    }
}

#[tokio::test]
async fn generated_label_selectors_either_select_or_get_the_servers_bad_request() {
    // Selectors pass through to the API server, which parses them: the plugin must show its
    // answer as is (exit 1, BadRequest) and never fail in another way.
    let t = TestSim::start().await;
    let mut g = Gen::new(0x5eed_000a);
    let atoms = [
        "app",
        "app=db",
        "app!=db",
        "!app",
        "app in (a,b)",
        "app notin (a)",
        "a=",
        "=",
        "in",
        "(",
        ",",
        " ",
        "x==y",
        "a/b=c",
        "é=1",
    ];
    for _ in 0..12 {
        let n = 1 + g.below(3);
        let sel: Vec<&str> = (0..n).map(|_| atoms[g.below(atoms.len())]).collect();
        let sel = sel.join(",");
        let out = t.cmd().args(&["list", "-l", &sel]).run().await;
        match out.code {
            0 => {}
            1 => {
                out.assert_stderr_contains("Error from server (BadRequest)");
            }
            _ => panic!("selector {sel:?}: {}", out.transcript()),
        }
    }
    assert_no_writes(&t);
}
