//! The HTTP side: one hyper service that parses Kubernetes API paths and answers discovery,
//! CRUD, list, watch, errors, auth and the `/sim/*` test controls.

pub mod auth;
pub mod faults;
pub mod patch;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::clock::SimClock;
use crate::error::ApiError;
use crate::registry::Registry;
use crate::store::Store;
use auth::User;
use faults::Faults;

/// One client request as the server saw it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub query: String,
    /// "" when unauthenticated.
    pub user: String,
    pub status: u16,
    pub body: Option<Value>,
    pub dry_run: bool,
}

impl RequestRecord {
    pub fn is_write(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
    }
}

pub(crate) type Body = UnsyncBoxBody<Bytes, Infallible>;

/// State shared by every connection.
pub struct Shared {
    pub store: Store,
    pub registry: Registry,
    pub faults: Faults,
    pub clock: SimClock,
    users: RwLock<Vec<User>>,
    log: Mutex<Vec<RequestRecord>>,
    pub(crate) addr: SocketAddr,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) verbose: bool,
}

impl Shared {
    pub(crate) fn new(
        store: Store,
        registry: Registry,
        users: Vec<User>,
        faults: Faults,
        addr: SocketAddr,
        shutdown: watch::Receiver<bool>,
        verbose: bool,
        clock: SimClock,
    ) -> Self {
        Shared {
            store,
            registry,
            faults,
            clock,
            users: RwLock::new(users),
            log: Mutex::new(Vec::new()),
            addr,
            shutdown,
            verbose,
        }
    }

    pub fn users(&self) -> Vec<User> {
        self.users.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn add_user(&self, user: User) {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        users.retain(|u| u.name != user.name);
        users.push(user);
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn clear_requests(&self) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    pub(crate) fn record(&self, r: RequestRecord) {
        if self.verbose {
            eprintln!(
                "vmsnap-sim: {} {}{}{} {} [{}]",
                r.method,
                r.path,
                if r.query.is_empty() { "" } else { "?" },
                r.query,
                r.status,
                r.user
            );
        }
        self.log.lock().unwrap_or_else(|e| e.into_inner()).push(r);
    }
}

pub(crate) fn full(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut resp = Response::new(Full::new(body.into()).boxed_unsync());
    *resp.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = hyper::header::HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    resp
}

pub(crate) fn json_response(status: u16, v: &Value) -> Response<Body> {
    full(
        status,
        "application/json",
        serde_json::to_vec(v).unwrap_or_default(),
    )
}

pub(crate) fn error_response(e: &ApiError) -> Response<Body> {
    let mut resp = json_response(e.code, &e.to_status());
    if let Some(secs) = e.retry_after()
        && let Ok(v) = hyper::header::HeaderValue::from_str(&secs.to_string())
    {
        resp.headers_mut().insert(hyper::header::RETRY_AFTER, v);
    }
    resp
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let _ = (&shared, &req);
    Ok(error_response(&ApiError::page_not_found()))
}

/// Accept connections until shutdown.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let stop_template = shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let mut stop = stop_template.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), req));
                    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = conn => {}
                        _ = stop.wait_for(|s| *s) => {}
                    }
                });
            }
            _ = shutdown.wait_for(|s| *s) => break,
        }
    }
}
