//! A small HTTP/1.1 client over a raw TcpStream for black-box tests of the simulator:
//! one request per connection, chunked bodies decoded, watch streams read event by event.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Safety net for every wait in these tests.
pub const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone)]
pub struct Client {
    pub addr: SocketAddr,
    pub token: Option<String>,
}

async fn read_head(reader: &mut BufReader<TcpStream>) -> (u16, Vec<(String, String)>) {
    let mut line = String::new();
    reader.read_line(&mut line).await.expect("status line");
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await.expect("header line");
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    (status, headers)
}

fn is_chunked(headers: &[(String, String)]) -> bool {
    headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
}

/// Read one chunk; None at the last chunk or EOF.
async fn read_chunk(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let size = usize::from_str_radix(line.trim().split(';').next()?, 16).ok()?;
    if size == 0 {
        return None;
    }
    let mut data = vec![0u8; size + 2];
    reader.read_exact(&mut data).await.ok()?;
    data.truncate(size);
    Some(data)
}

impl Client {
    pub fn new(addr: SocketAddr, token: Option<&str>) -> Self {
        Client {
            addr,
            token: token.map(str::to_string),
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> BufReader<TcpStream> {
        let mut stream = TcpStream::connect(self.addr)
            .await
            .expect("connect to the simulator");
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(t) = &self.token {
            req.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        let body = body.unwrap_or(&[]);
        req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream
            .write_all(req.as_bytes())
            .await
            .expect("write request");
        stream.write_all(body).await.expect("write body");
        BufReader::new(stream)
    }

    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Resp {
        let fut = async {
            let mut reader = self.send(method, path, headers, body).await;
            let (status, headers) = read_head(&mut reader).await;
            let mut body = Vec::new();
            if is_chunked(&headers) {
                while let Some(c) = read_chunk(&mut reader).await {
                    body.extend(c);
                }
            } else {
                reader.read_to_end(&mut body).await.expect("read body");
            }
            Resp {
                status,
                headers,
                body,
            }
        };
        tokio::time::timeout(TIMEOUT, fut)
            .await
            .expect("request timed out")
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request("GET", path, &[], None).await
    }

    pub async fn get_accept(&self, path: &str, accept: &str) -> Resp {
        self.request("GET", path, &[("Accept", accept)], None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        let b = serde_json::to_vec(body).expect("serialize");
        self.request(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            Some(&b),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Resp {
        let b = serde_json::to_vec(body).expect("serialize");
        self.request(
            "PUT",
            path,
            &[("Content-Type", "application/json")],
            Some(&b),
        )
        .await
    }

    pub async fn patch(&self, path: &str, content_type: &str, body: &Value) -> Resp {
        let b = serde_json::to_vec(body).expect("serialize");
        self.request("PATCH", path, &[("Content-Type", content_type)], Some(&b))
            .await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.request("DELETE", path, &[], None).await
    }

    /// Start a watch (path includes `watch=true`); returns the status and a stream of events.
    pub async fn watch(&self, path: &str) -> Watch {
        let mut reader = tokio::time::timeout(TIMEOUT, self.send("GET", path, &[], None))
            .await
            .expect("watch connect timed out");
        let (status, headers) = tokio::time::timeout(TIMEOUT, read_head(&mut reader))
            .await
            .expect("watch head timed out");
        Watch {
            status,
            chunked: is_chunked(&headers),
            reader,
            pending: Vec::new(),
            ended: false,
        }
    }
}

pub struct Watch {
    pub status: u16,
    chunked: bool,
    reader: BufReader<TcpStream>,
    pending: Vec<u8>,
    ended: bool,
}

impl Watch {
    /// The next event, or None once the server ended the stream. Panics after TIMEOUT.
    pub async fn next(&mut self) -> Option<Value> {
        tokio::time::timeout(TIMEOUT, self.next_inner())
            .await
            .expect("no watch event in time")
    }

    async fn next_inner(&mut self) -> Option<Value> {
        loop {
            if let Some(pos) = self.pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=pos).collect();
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Some(serde_json::from_slice(&line).expect("watch event is JSON"));
            }
            if self.ended {
                return None;
            }
            let chunk = if self.chunked {
                read_chunk(&mut self.reader).await
            } else {
                let mut buf = vec![0u8; 8192];
                match self.reader.read(&mut buf).await {
                    Ok(0) | Err(_) => None,
                    Ok(n) => Some(buf[..n].to_vec()),
                }
            };
            match chunk {
                Some(c) => self.pending.extend(c),
                None => self.ended = true,
            }
        }
    }

    /// Events until one satisfies `pred` (returned); panics if the stream ends first.
    pub async fn until(&mut self, mut pred: impl FnMut(&Value) -> bool) -> Value {
        loop {
            let ev = self
                .next()
                .await
                .expect("watch ended before the expected event");
            if pred(&ev) {
                return ev;
            }
        }
    }
}
