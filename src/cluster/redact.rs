//! Credentials in URLs masked before a message shows them.

/// `url` with the password of its user info replaced by `xxxxx`, as Go's `url.Redacted`
/// prints it (kubectl's messages do the same): `http://user:xxxxx@proxy:3128`.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let user_info = &authority[..at];
    let masked = match user_info.split_once(':') {
        Some((user, _password)) => format!("{user}:xxxxx"),
        None => user_info.to_string(),
    };
    format!("{}{masked}{}", &url[..scheme_end], &url[scheme_end + at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_password_is_masked() {
        assert_eq!(
            redact_url("http://bob:s3cr%40t@proxy.corp:3128/x?y"),
            "http://bob:xxxxx@proxy.corp:3128/x?y"
        );
        assert_eq!(redact_url("http://bob@proxy:3128"), "http://bob@proxy:3128");
        assert_eq!(redact_url("socks5://proxy:1080"), "socks5://proxy:1080");
        assert_eq!(redact_url("proxy:3128"), "proxy:3128");
        // An @ in the path is not user info.
        assert_eq!(redact_url("http://proxy/a@b"), "http://proxy/a@b");
    }
}
