//! Text bound for a terminal made harmless: control characters from the server made visible
//! and inert, credentials in URLs masked.
//!
//! kubectl's printers escape ESC as `^[` and CR as `\r` (cli-runtime pkg/printers/terminal.go,
//! kubernetes issue 101695); this covers every C0 control, DEL and C1 as well, so no
//! server-supplied string can move the cursor, redraw a line or set the window title.

use std::borrow::Cow;

/// `text` with control characters escaped: ESC as `^[` (as kubectl), CR as `\r`, any other
/// C0 control, DEL and C1 as `\xNN` / `\u{NN}`. With `keep_layout`, newline and tab pass (a
/// rendered table or a multi-line block); without, they are escaped too (one table cell,
/// one error line), so a server string cannot add a line of its own.
pub fn terminal_safe(text: &str, keep_layout: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && !(keep_layout && (c == '\n' || c == '\t'));
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !unsafe_char(c) => out.push(c),
            '\u{1b}' => out.push_str("^["),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// `text` with the user information of every URL in it (`scheme://user:password@host`)
/// replaced by `<masked>`, so a proxy or server URL with a password is never printed.
pub fn mask_url_credentials(text: &str) -> Cow<'_, str> {
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // The authority ends at the path, the query, or whatever ends the URL in the text.
        let end = tail
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '>' | ')') || c.is_whitespace()
            })
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("<masked>");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// One line for stderr: credentials masked, every control character escaped.
pub fn stderr_line(text: &str) -> String {
    terminal_safe(&mask_url_credentials(text), false).into_owned()
}

/// A block for stderr (a plan, a table): credentials masked, control characters but newline
/// and tab escaped.
pub fn stderr_block(text: &str) -> String {
    terminal_safe(&mask_url_credentials(text), true).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible_and_inert() {
        let hostile = "ok\u{1b}[2K\u{1b}]0;title\u{7}\rrestore completed OK\u{9b}31m\u{7f}";
        let safe = terminal_safe(hostile, true);
        assert_eq!(
            safe,
            "ok^[[2K^[]0;title\\x07\\rrestore completed OK\\u{9b}31m\\x7f"
        );
        assert!(!safe.chars().any(char::is_control), "{safe:?}");
    }

    #[test]
    fn layout_is_kept_only_when_asked() {
        assert_eq!(terminal_safe("a\tb\nc", true), "a\tb\nc");
        assert_eq!(terminal_safe("a\tb\nc", false), "a\\tb\\nc");
        assert!(matches!(
            terminal_safe("plain – ünïcode", false),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn url_passwords_are_masked_and_hosts_kept() {
        assert_eq!(
            mask_url_credentials("configured proxy http://alice:s3cret@proxy:3128 failed"),
            "configured proxy http://<masked>@proxy:3128 failed"
        );
        assert_eq!(
            mask_url_credentials("\"https://u:p@h:6443/api\" and https://h2/x"),
            "\"https://<masked>@h:6443/api\" and https://h2/x"
        );
        assert_eq!(mask_url_credentials("no url here"), "no url here");
    }
}
