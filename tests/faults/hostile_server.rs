//! A small hostile API server of the tests' own on 127.0.0.1: it accepts and never answers,
//! completes TLS and never answers, trickles a body at 1 byte/s, or sends a body without end.
//! It speaks TLS with the simulator's test certificate, so a kubeconfig trusting the
//! simulator's CA trusts it too; it counts the connections it accepts.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// How the server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Accepts the TCP connection and never says anything (no TLS handshake).
    AcceptSilent,
    /// Completes the TLS handshake, then never answers.
    TlsSilent,
    /// Answers 200 with headers at once, then the body at 1 byte per second.
    Trickle,
    /// Answers 200 and sends a chunked body that never ends, as fast as it can.
    Endless,
}

/// A running hostile server.
pub struct Hostile {
    /// Where it listens.
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl Hostile {
    /// Starts a server in `mode` on the current runtime.
    pub async fn start(mode: Mode) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        let acceptor = vmsnap_sim::server::tls::acceptor().expect("test certificate");
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if mode == Mode::AcceptSilent {
                        // Hold the socket open, say nothing.
                        let _keep = tcp;
                        return std::future::pending::<()>().await;
                    }
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    misbehave(tls, mode).await;
                });
            }
        });
        Hostile { addr, connections }
    }

    /// How many TCP connections it accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// A kubeconfig for it in `dir`, trusting the simulator's CA (or `ca_file` instead).
    pub fn kubeconfig(&self, dir: &Path, ca_file: Option<&Path>) -> PathBuf {
        let ca = match ca_file {
            Some(f) => format!("certificate-authority: '{}'", f.display()),
            None => format!(
                "certificate-authority-data: {}",
                vmsnap_sim::server::tls::ca_data()
            ),
        };
        let text = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    \
             server: 'https://{}'\n    {ca}\nusers:\n- name: u\n  user: {{token: t}}\ncontexts:\n- \
             name: c\n  context: {{cluster: c, user: u, namespace: production}}\n",
            self.addr
        );
        let path = dir.join(format!("kubeconfig-{}", self.addr.port()));
        std::fs::write(&path, text).expect("kubeconfig written");
        path
    }
}

async fn misbehave<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, mode: Mode) {
    // Read the request head; the body (if any) does not matter.
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    match mode {
        Mode::AcceptSilent | Mode::TlsSilent => std::future::pending::<()>().await,
        Mode::Trickle => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \
                        1000000\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            loop {
                if stream.write_all(b" ").await.is_err() || stream.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Mode::Endless => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: \
                        chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let data = vec![b' '; 64 * 1024];
            let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
            chunk.extend_from_slice(&data);
            chunk.extend_from_slice(b"\r\n");
            while stream.write_all(&chunk).await.is_ok() {}
        }
    }
}
