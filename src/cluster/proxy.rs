//! Which proxy, if any, carries the connection to the API server — decided here as kubectl
//! decides it, rather than by kube:
//! - a kubeconfig cluster's `proxy-url` is always used (client-go tools/clientcmd
//!   client_config.go: `http.ProxyURL`, no NO_PROXY check);
//! - otherwise Go's `http.ProxyFromEnvironment` (golang.org/x/net/http/httpproxy):
//!   `HTTPS_PROXY`/`https_proxy` for an https server, `HTTP_PROXY`/`http_proxy` for an http
//!   one, never for localhost or a loopback address, and not for hosts `NO_PROXY`/`no_proxy`
//!   lists (`*`, IPs, CIDRs, `host`, `.domain`, `*.domain`, each optionally `:port`).
//!
//! kube 5 differs: it takes HTTPS_PROXY for http servers too, ignores HTTP_PROXY, matches
//! NO_PROXY against the proxy's own address instead of the server's, and applies NO_PROXY to
//! a kubeconfig proxy-url; so the choice made here replaces kube's.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::error::UserError;

use crate::terminal::mask_url_credentials;

/// The proxy chosen, and which setting named it (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    pub url: http::Uri,
    pub source: &'static str,
}

/// `Proxy: URL (from SOURCE)` for the -v 6 log, the password masked.
pub fn describe(proxy: &Proxy) -> String {
    format!(
        "Proxy: {} (from {})",
        mask_url_credentials(&proxy.url.to_string()),
        proxy.source
    )
}

/// The proxy for `server`, given the selected cluster's `proxy-url` and the environment.
pub fn choose(
    server: &http::Uri,
    kubeconfig_proxy: Option<&str>,
    vars: &BTreeMap<String, String>,
) -> Result<Option<Proxy>, UserError> {
    if let Some(raw) = kubeconfig_proxy.filter(|p| !p.is_empty()) {
        let url = parse(raw, false, "the kubeconfig's proxy-url")?;
        return Ok(Some(Proxy {
            url,
            source: "proxy-url",
        }));
    }
    let var = |names: [&'static str; 2]| {
        names
            .into_iter()
            .find_map(|n| vars.get(n).filter(|v| !v.is_empty()).map(|v| (n, v)))
    };
    let https = server.scheme_str() == Some("https");
    // Go ignores HTTP_PROXY in a CGI process (REQUEST_METHOD set), against "httpoxy".
    let found = if https {
        var(["HTTPS_PROXY", "https_proxy"])
    } else if vars.contains_key("REQUEST_METHOD") {
        None
    } else {
        var(["HTTP_PROXY", "http_proxy"])
    };
    let Some((source, raw)) = found else {
        return Ok(None);
    };
    let Some(host) = server.host() else {
        return Ok(None);
    };
    let port = server.port_u16().unwrap_or(if https { 443 } else { 80 });
    let no_proxy = var(["NO_PROXY", "no_proxy"]).map_or("", |(_, v)| v.as_str());
    if !use_proxy(host, port, no_proxy) {
        return Ok(None);
    }
    let url = parse(raw, true, source)?;
    Ok(Some(Proxy { url, source }))
}

/// A proxy URL as Go reads it: from the environment a bare `host:port` means `http://`.
fn parse(raw: &str, bare_is_http: bool, source: &str) -> Result<http::Uri, UserError> {
    let with_scheme = if bare_is_http && !raw.contains("://") {
        format!("http://{raw}")
    } else {
        raw.to_string()
    };
    let invalid = |why: &str| {
        UserError::usage(format!(
            "invalid proxy address {} in {source}: {why}",
            mask_url_credentials(raw)
        ))
        .hint("a proxy is http://[USER:PASSWORD@]HOST:PORT, https://… or socks5://HOST:PORT")
    };
    let url: http::Uri = with_scheme.parse().map_err(|_| invalid("not a URL"))?;
    match url.scheme_str() {
        Some("http" | "https" | "socks5") => {}
        Some(other) => {
            return Err(invalid(&format!(
                "unsupported scheme {other:?}, must be http, https, or socks5"
            )));
        }
        None => return Err(invalid("no scheme")),
    }
    if url.host().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    Ok(url)
}

/// Whether a request to `host:port` goes through the proxy (Go's httpproxy `useProxy`).
pub fn use_proxy(host: &str, port: u16, no_proxy: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    if host == "localhost" {
        return false;
    }
    let ip = host.parse::<IpAddr>().ok();
    if ip.is_some_and(|ip| ip.is_loopback()) {
        return false;
    }
    let port = port.to_string();
    for entry in no_proxy.split(',') {
        let entry = entry.trim().to_ascii_lowercase();
        if entry.is_empty() {
            continue;
        }
        if entry == "*" {
            return false;
        }
        if let Some(ip) = ip
            && let Some((net, bits)) = entry.split_once('/')
            && let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u8>())
        {
            if in_cidr(ip, net, bits) {
                return false;
            }
            continue;
        }
        let (entry_host, entry_port) = split_host_port(&entry);
        if let Ok(entry_ip) = entry_host.parse::<IpAddr>() {
            if ip == Some(entry_ip) && entry_port.is_none_or(|p| p == port) {
                return false;
            }
            continue;
        }
        if ip.is_some() || entry_host.contains('/') {
            continue;
        }
        // `*.example.com` and `.example.com`: subdomains only; `example.com`: it and them.
        let domain = entry_host.strip_prefix('*').unwrap_or(entry_host);
        let matches = match domain.strip_prefix('.') {
            Some(_) => host.ends_with(domain),
            None => host == domain || host.ends_with(&format!(".{domain}")),
        };
        if matches && entry_port.is_none_or(|p| p == port) {
            return false;
        }
    }
    true
}

/// `host:port`, `[v6]:port`, or just a host.
fn split_host_port(entry: &str) -> (&str, Option<&str>) {
    if let Some(rest) = entry.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((h, tail)) => (h, tail.strip_prefix(':')),
            None => (entry, None),
        };
    }
    match entry.rsplit_once(':') {
        // More than one colon is a bare IPv6 address.
        Some((h, p)) if !h.contains(':') => (h, Some(p)),
        _ => (entry, None),
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::{env_vars as vars, uri};

    #[test]
    fn no_proxy_rules_are_go_httpproxy_rules() {
        let np = "10.0.0.0/8, .corp.example, example.org, 192.168.1.5, api.dev:6443, [::2]:443";
        let bypassed = [
            ("10.1.2.3", 6443, "CIDR"),
            ("api.corp.example", 443, ".domain: subdomain"),
            ("example.org", 443, "host: itself"),
            ("k8s.example.org", 443, "host: and its subdomains"),
            ("192.168.1.5", 443, "IP"),
            ("api.dev", 6443, "host:port"),
            ("[::2]", 443, "IPv6 with port"),
            ("API.CORP.EXAMPLE", 443, "case-insensitive"),
        ];
        for (host, port, rule) in bypassed {
            assert!(!use_proxy(host, port, np), "{host}:{port} bypasses: {rule}");
        }
        let proxied = [
            ("11.1.2.3", 6443, "outside the CIDR"),
            ("corp.example", 443, ".domain: not the domain itself"),
            ("badexample.org", 443, "not a suffix of another label"),
            ("api.dev", 443, "other port"),
        ];
        for (host, port, rule) in proxied {
            assert!(
                use_proxy(host, port, np),
                "{host}:{port} is proxied: {rule}"
            );
        }
        for (host, no_proxy, rule) in [
            ("anything", "*", "wildcard"),
            ("*.x", " , *.x", "empty entries skipped"),
            ("a.x", "*.x", "*.domain"),
        ] {
            assert!(
                !use_proxy(host, 1, no_proxy),
                "{host} in {no_proxy:?}: {rule}"
            );
        }
        // Loopback never goes through a proxy.
        for host in ["127.0.0.1", "localhost", "[::1]"] {
            assert!(!use_proxy(host, 6443, ""), "{host}");
        }
    }

    #[test]
    fn environment_proxy_follows_the_server_scheme() {
        let v = vars(&[
            ("HTTPS_PROXY", "proxy:3128"),
            ("HTTP_PROXY", "http://plain:8080"),
        ]);
        let p = choose(&uri("https://api.example:6443"), None, &v)
            .unwrap()
            .unwrap();
        assert_eq!(p.url, uri("http://proxy:3128"));
        assert_eq!(p.source, "HTTPS_PROXY");
        let p = choose(&uri("http://api.example:8080"), None, &v)
            .unwrap()
            .unwrap();
        assert_eq!(p.url, uri("http://plain:8080"));
        let v = vars(&[("https_proxy", "http://lower:1")]);
        let p = choose(&uri("https://api.example"), None, &v)
            .unwrap()
            .unwrap();
        assert_eq!(p.source, "https_proxy");
        let v = vars(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "api.example")]);
        assert_eq!(choose(&uri("https://api.example"), None, &v).unwrap(), None);
    }

    #[test]
    fn kubeconfig_proxy_url_wins_and_ignores_no_proxy() {
        let v = vars(&[("HTTPS_PROXY", "http://env:1"), ("NO_PROXY", "*")]);
        let p = choose(&uri("https://127.0.0.1:6443"), Some("socks5://s:1080"), &v)
            .unwrap()
            .unwrap();
        assert_eq!(p.url, uri("socks5://s:1080"));
        assert_eq!(p.source, "proxy-url");
    }

    #[test]
    fn a_bad_proxy_is_named_without_its_password() {
        let v = vars(&[("HTTPS_PROXY", "ftp://bob:hunter2@p:21")]);
        let e = choose(&uri("https://api.example"), None, &v).unwrap_err();
        assert!(e.message.contains("ftp://<masked>@p:21"), "{}", e.message);
        assert!(!e.message.contains("hunter2"));
        assert_eq!(e.exit_code(), crate::error::EXIT_USAGE);
    }
}
