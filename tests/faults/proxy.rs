//! A small HTTP/1.1 proxy of the tests' own on 127.0.0.1 in front of the simulator: it can
//! normalise paths (resolve `.` and `..` before forwarding, as some gateways do), send a
//! request to another path, or answer by itself (an HTML login page, a foreign JSON error, a
//! Status with escape sequences). Plain threads and blocking sockets: one connection per
//! request (`Connection: close` both ways), so nothing depends on timing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::kit::file;
use crate::support::TestSim;

/// What the proxy does with one request.
pub enum Action {
    /// Forward it to the simulator with this target (path and query).
    Forward(String),
    /// Answer it without asking the simulator.
    Answer {
        status: u16,
        content_type: &'static str,
        body: String,
    },
}

type Route = dyn Fn(&str, &str) -> Action + Send + Sync;

/// A running proxy; it stops with the test process.
pub struct Proxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    /// Listens on 127.0.0.1:0 and handles each request as `route(method, target)` says.
    pub fn start(
        upstream: SocketAddr,
        route: impl Fn(&str, &str) -> Action + Send + Sync + 'static,
    ) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy binds");
        let addr = listener.local_addr().expect("proxy address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let route: Arc<Route> = Arc::new(route);
        let log = seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (route, log) = (route.clone(), log.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, upstream, &*route, &log);
                });
            }
        });
        Proxy { addr, seen }
    }

    /// A normalising proxy: `.` and `..` in the path are resolved before forwarding.
    pub fn normalising(upstream: SocketAddr) -> Proxy {
        Proxy::start(upstream, |_, target| Action::Forward(normalise(target)))
    }

    /// Answers every GET whose path names `name` itself, with `status` and the JSON `body`;
    /// forwards the rest.
    pub fn answering_reads_of(
        upstream: SocketAddr,
        name: &'static str,
        status: u16,
        body: String,
    ) -> Proxy {
        Proxy::start(upstream, move |method, target| {
            if method == "GET" && target.contains(&format!("/{name}")) {
                Action::Answer {
                    status,
                    content_type: "application/json",
                    body: body.clone(),
                }
            } else {
                Action::Forward(target.to_string())
            }
        })
    }

    /// Request lines as the proxy received them (`METHOD target`).
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("proxy log").clone()
    }

    /// A kubeconfig for `user` in production that reaches the simulator through this proxy.
    pub fn kubeconfig(&self, t: &TestSim, user: &str) -> PathBuf {
        self.kubeconfig_in(t, user, "production")
    }

    /// A kubeconfig for `user` in namespace `ns` through this proxy.
    pub fn kubeconfig_in(&self, t: &TestSim, user: &str, ns: &str) -> PathBuf {
        let direct = t.kubeconfig_for(user, ns);
        let text = std::fs::read_to_string(direct).expect("kubeconfig");
        let via = text.replace(&t.sim.https_url(), &format!("http://{}", self.addr));
        assert_ne!(via, text, "the kubeconfig names the simulator's URL");
        file(t, &format!("via-proxy-{user}-{ns}"), &via)
    }
}

/// Resolves `.` and `..` segments of the target's path, as RFC 3986 remove_dot_segments.
pub fn normalise(target: &str) -> String {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/').skip(1) {
        match seg {
            "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut text = format!("/{}", out.join("/"));
    if let Some(q) = query {
        text.push('?');
        text.push_str(q);
    }
    text
}

fn serve(
    conn: TcpStream,
    upstream: SocketAddr,
    route: &Route,
    seen: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
    );
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end().to_string();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if !lower.starts_with("connection:") {
            headers.push(line);
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    seen.lock()
        .expect("proxy log")
        .push(format!("{method} {target}"));
    let mut client = conn;
    match route(&method, &target) {
        Action::Answer {
            status,
            content_type,
            body,
        } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            client.write_all(head.as_bytes())?;
            client.write_all(body.as_bytes())?;
        }
        Action::Forward(to) => {
            let mut up = TcpStream::connect(upstream)?;
            let mut head = format!("{method} {to} HTTP/1.1\r\n");
            for h in &headers {
                head.push_str(h);
                head.push_str("\r\n");
            }
            head.push_str("Connection: close\r\n\r\n");
            up.write_all(head.as_bytes())?;
            up.write_all(&body)?;
            // The simulator closes after answering: the whole answer is read, then relayed
            // with `Connection: close` so the client opens a new connection next time.
            let mut answer = Vec::new();
            up.read_to_end(&mut answer)?;
            let split = answer
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .unwrap_or(answer.len());
            let head = String::from_utf8_lossy(&answer[..split]);
            let mut lines: Vec<&str> = head
                .split("\r\n")
                .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                .collect();
            lines.push("Connection: close");
            client.write_all(lines.join("\r\n").as_bytes())?;
            client.write_all(&answer[split..])?;
        }
    }
    client.flush()?;
    client.shutdown(std::net::Shutdown::Both)
}

#[test]
fn normalising_resolves_dot_segments_and_keeps_the_query() {
    assert_eq!(
        normalise(
            "/apis/s/v1/namespaces/p/snaps/../../../../../kubevirt.io/v1/namespaces/p/vms/w?x=1"
        ),
        "/apis/kubevirt.io/v1/namespaces/p/vms/w?x=1"
    );
    assert_eq!(normalise("/a/./b"), "/a/b");
}
