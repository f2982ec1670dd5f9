//! Redaction of what varies between runs: ports, uids, temp paths.

/// Replaces `127.0.0.1:PORT`, UUIDs and /tmp paths with placeholders.
pub fn redact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..i + "127.0.0.1:".len()]);
        rest = &rest[i + "127.0.0.1:".len()..];
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits > 0 {
            out.push_str("PORT");
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    redact_uuids(&out)
}

fn redact_uuids(s: &str) -> String {
    let b = s.as_bytes();
    let shape = [8, 4, 4, 4, 12];
    let mut out = String::new();
    let mut i = 0;
    'outer: while i < b.len() {
        let mut j = i;
        for (k, n) in shape.iter().enumerate() {
            if j + n > b.len() || !b[j..j + n].iter().all(u8::is_ascii_hexdigit) {
                break;
            }
            j += n;
            if k < 4 {
                if j < b.len() && b[j] == b'-' {
                    j += 1;
                } else {
                    break;
                }
            } else {
                out.push_str("UID");
                i = j;
                continue 'outer;
            }
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

#[test]
fn ports_and_uids_are_redacted() {
    assert_eq!(
        redact("http://127.0.0.1:39999/x uid 0b4f5c1e-1111-2222-3333-444455556666."),
        "http://127.0.0.1:PORT/x uid UID."
    );
}
