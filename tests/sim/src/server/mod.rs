//! The HTTP side: one hyper service that parses Kubernetes API paths and answers discovery,
//! CRUD, list, watch, errors, auth and the `/sim/*` test controls.

mod actions;
pub mod auth;
mod control;
mod discovery;
pub mod faults;
pub mod patch;
pub mod path;
mod proto;
mod resource;
pub mod selectors;
pub mod table;
pub mod tls;
mod watch;

use std::collections::HashMap;
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
use tokio::sync::watch as signal;

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
    /// The client's User-Agent header ("" when absent), so tests can check who called.
    pub user_agent: String,
}

impl RequestRecord {
    /// A request that can change what the cluster stores. Access reviews are POSTs that
    /// only ask a question (nothing is stored), so they are not writes.
    pub fn is_write(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
            && !self.is_access_review()
    }

    /// A SelfSubjectAccessReview or SelfSubjectRulesReview: "may I?", never a change.
    pub fn is_access_review(&self) -> bool {
        self.path.starts_with("/apis/authorization.k8s.io/")
            && (self.path.ends_with("/selfsubjectaccessreviews")
                || self.path.ends_with("/selfsubjectrulesreviews"))
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
    deprecations: RwLock<std::collections::BTreeMap<(String, String), String>>,
    log: Mutex<Vec<RequestRecord>>,
    pub(crate) addr: SocketAddr,
    pub(crate) shutdown: signal::Receiver<bool>,
    pub(crate) verbose: bool,
}

impl Shared {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        store: Store,
        registry: Registry,
        users: Vec<User>,
        faults: Faults,
        addr: SocketAddr,
        shutdown: signal::Receiver<bool>,
        verbose: bool,
        clock: SimClock,
    ) -> Self {
        Shared {
            store,
            registry,
            faults,
            clock,
            users: RwLock::new(users),
            // kubevirt/kubevirt staging/src/kubevirt.io/api/core/v1/register.go
            // (DeprecationWarning of the v1alpha3 version).
            deprecations: RwLock::new(
                [(
                    ("kubevirt.io".to_string(), "v1alpha3".to_string()),
                    "kubevirt.io/v1alpha3 is now deprecated and will be removed in a future release."
                        .to_string(),
                )]
                .into(),
            ),
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

    /// The warning a served version sends with every answer, as the API server does for a CRD
    /// version marked `deprecated` (its `deprecationWarning`).
    pub fn deprecation(&self, group: &str, version: &str) -> Option<String> {
        self.deprecations
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(group.to_string(), version.to_string()))
            .cloned()
    }

    pub fn deprecate_version(&self, group: &str, version: &str, warning: &str) {
        self.deprecations
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert((group.into(), version.into()), warning.into());
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

/// One request's context, handed to the handlers.
pub(crate) struct Ctx {
    pub shared: Arc<Shared>,
    pub method: String,
    pub query: HashMap<String, String>,
    pub accept: String,
    pub content_type: String,
    /// The parsed body (JSON or YAML), if there was one.
    pub body_json: Option<Result<Value, ApiError>>,
    pub user: User,
    pub dry_run: bool,
    /// `Warning` headers to send.
    pub warnings: Vec<String>,
}

impl Ctx {
    /// The same request without its body or warnings, for nested checks.
    pub(crate) fn detached(&self) -> Ctx {
        Ctx {
            shared: self.shared.clone(),
            method: self.method.clone(),
            query: self.query.clone(),
            accept: self.accept.clone(),
            content_type: self.content_type.clone(),
            body_json: None,
            user: self.user.clone(),
            dry_run: self.dry_run,
            warnings: vec![],
        }
    }
}

fn parse_body(content_type: &str, body: &Bytes) -> Option<Result<Value, ApiError>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    if content_type.contains("protobuf") {
        return Some(
            proto::decode(body).ok_or_else(|| ApiError::unsupported_media_type(content_type)),
        );
    }
    let yaml = content_type.contains("yaml");
    let parsed = if yaml {
        std::str::from_utf8(body)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_saphyr::from_str::<Value>(t).map_err(|e| e.to_string()))
    } else {
        serde_json::from_slice::<Value>(body).map_err(|e| e.to_string())
    };
    Some(parsed.map_err(|e| {
        ApiError::bad_request(format!("the body of the request could not be decoded: {e}"))
    }))
}

fn header(req: &Request<Incoming>, name: hyper::header::HeaderName) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The `Impersonate-*` headers, if the request asks to act as someone else.
fn impersonation(req: &Request<Incoming>) -> Option<auth::Impersonation> {
    let user = header(
        req,
        hyper::header::HeaderName::from_static("impersonate-user"),
    );
    if user.is_empty() {
        return None;
    }
    let groups = req
        .headers()
        .get_all("impersonate-group")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    Some(auth::Impersonation {
        user,
        groups,
        uid: header(
            req,
            hyper::header::HeaderName::from_static("impersonate-uid"),
        ),
    })
}

/// One request; `cert_user` is the user a client certificate of the client CA names.
async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
    cert_user: Option<&'static str>,
) -> Result<Response<Body>, Infallible> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let accept = header(&req, hyper::header::ACCEPT);
    let content_type = header(&req, hyper::header::CONTENT_TYPE);
    let authorization = header(&req, hyper::header::AUTHORIZATION);
    let impersonation = impersonation(&req);
    let user_agent = header(&req, hyper::header::USER_AGENT);
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();

    if path == "/sim" || path.starts_with("/sim/") {
        return Ok(control::handle(&shared, &method, &path, &query, &body));
    }
    let rtt = shared.faults.rtt();
    if !rtt.is_zero() {
        tokio::time::sleep(rtt).await;
    }
    let q = path::parse_query(&query);
    let body_json = parse_body(&content_type, &body);
    let mut dry_run = q.get("dryRun").is_some_and(|v| v == "All");
    let mut record = RequestRecord {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        user: String::new(),
        status: 0,
        body: body_json.as_ref().and_then(|b| b.as_ref().ok()).cloned(),
        dry_run,
        user_agent,
    };
    let token = authorization
        .strip_prefix("Bearer ")
        .map(str::trim)
        .unwrap_or("");
    let known = |name: &str| {
        shared
            .users()
            .into_iter()
            .find(|u| u.name == name)
            .unwrap_or_else(|| User::new(name, vec![]))
    };
    // kube-apiserver's union authenticator tries the client certificate first.
    let user = if let Some(name) = cert_user {
        Some(known(name))
    } else if token.is_empty() {
        None
    } else {
        shared
            .users
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|u| u.token() == token)
            .cloned()
    };
    let Some(user) = user else {
        let resp = error_response(&ApiError::unauthorized());
        record.status = 401;
        shared.record(record);
        return Ok(resp);
    };
    let user = match impersonation {
        None => user,
        Some(imp) => match auth::check_impersonation(&user, &imp) {
            // The impersonated user is who RBAC and the request log see from here on.
            Ok(()) => shared
                .users()
                .into_iter()
                .find(|u| u.name == imp.user)
                .unwrap_or_else(|| User::new(&imp.user, vec![])),
            Err(message) => {
                record.user = user.name.clone();
                let resp = error_response(&ApiError::new(403, "Forbidden", message));
                record.status = 403;
                shared.record(record);
                return Ok(resp);
            }
        },
    };
    record.user = user.name.clone();
    let route = path::parse_path(&path);
    let watch = q.get("watch").is_some_and(|w| w == "true" || w == "1");
    let (verb, resource, name) = match &route {
        path::Route::Resource(rp) => (
            resource::verb(&method, rp, watch),
            Some(rp.plural.clone()),
            rp.name.clone(),
        ),
        _ => ("get", None, None),
    };
    let shape = faults::RequestShape {
        method: &method,
        verb,
        resource: resource.as_deref(),
        name: name.as_deref(),
    };
    let injected = shared.faults.check(&shape);
    let deprecation = match &route {
        path::Route::Resource(rp) => shared.deprecation(&rp.group, &rp.version),
        _ => None,
    };
    let mut ctx = Ctx {
        shared: shared.clone(),
        method: method.clone(),
        query: q,
        accept,
        content_type,
        body_json,
        user,
        dry_run,
        warnings: deprecation.into_iter().collect(),
    };
    let result = match injected {
        Some(e) => Err(e),
        None => route_request(&mut ctx, route, verb).await,
    };
    dry_run = ctx.dry_run;
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => error_response(&e),
    };
    for w in &ctx.warnings {
        if let Ok(v) = hyper::header::HeaderValue::from_str(&format!(
            "299 - {}",
            serde_json::to_string(w).unwrap_or_default()
        )) {
            resp.headers_mut().append(hyper::header::WARNING, v);
        }
    }
    record.status = resp.status().as_u16();
    record.dry_run = dry_run;
    shared.record(record);
    Ok(resp)
}

/// The aggregated discovery version the client asks for first (`v2` or `v2beta1`), if any.
fn aggregated(accept: &str) -> Option<&'static str> {
    for part in accept.split(',') {
        let part = part.trim();
        if !part.contains("as=APIGroupDiscoveryList") {
            if part.starts_with("application/json") || part.starts_with("*/*") {
                return None;
            }
            continue;
        }
        if part.contains("g=apidiscovery.k8s.io") {
            if part.contains("v=v2beta1") {
                return Some("v2beta1");
            }
            if part.contains("v=v2") {
                return Some("v2");
            }
        }
    }
    None
}

async fn route_request(
    ctx: &mut Ctx,
    route: path::Route,
    verb: &'static str,
) -> Result<Response<Body>, ApiError> {
    use path::Route;
    let reg = &ctx.shared.registry;
    let get_only = |v: Option<Value>| -> Result<Response<Body>, ApiError> {
        if ctx.method != "GET" && ctx.method != "HEAD" {
            return Err(ApiError::method_not_allowed(&ctx.method));
        }
        v.map(|v| json_response(200, &v))
            .ok_or_else(ApiError::page_not_found)
    };
    match route {
        Route::Version => get_only(Some(discovery::version())),
        Route::Health => Ok(full(200, "text/plain", "ok")),
        Route::CoreVersions | Route::GroupList if aggregated(&ctx.accept).is_some() => {
            let version = aggregated(&ctx.accept).unwrap_or("v2");
            let doc = reg.aggregated_discovery(route == Route::CoreVersions, version);
            let body = get_only(Some(doc))?.into_body();
            let mut resp = Response::new(body);
            let ct = format!(
                "application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"
            );
            if let Ok(v) = hyper::header::HeaderValue::from_str(&ct) {
                resp.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
            }
            Ok(resp)
        }
        Route::CoreVersions => get_only(Some(reg.api_versions(&ctx.shared.addr.to_string()))),
        Route::GroupList => get_only(Some(reg.api_group_list())),
        Route::Group(g) => get_only(reg.api_group_doc(&g)),
        Route::ResourceList { group, version } => get_only(reg.api_resource_list(&group, &version)),
        Route::OpenApiV3Root => get_only(Some(discovery::root(reg))),
        Route::OpenApiV3 { group, version } => {
            get_only(discovery::group_version(reg, &group, &version))
        }
        Route::Resource(rp) => resource::handle(ctx, rp, verb).await,
        Route::NotFound => Err(ApiError::page_not_found()),
    }
}

/// Resolves once shutdown is signalled (or the Sim is gone).
pub(crate) async fn stopped(rx: &mut signal::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

/// Accept connections until shutdown; each speaks TLS or plain HTTP/1.1, told by its first byte.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: signal::Receiver<bool>,
) {
    let stop_template = shutdown.clone();
    let acceptor = match tls::acceptor() {
        Ok(a) => Some(a),
        Err(e) => {
            eprintln!("vmsnap-sim: TLS is unavailable: {e:#}");
            None
        }
    };
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let mut stop = stop_template.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let mut first = [0u8; 1];
                    let is_tls = matches!(stream.peek(&mut first).await, Ok(1) if first[0] == 0x16);
                    match (is_tls, acceptor) {
                        (true, Some(acceptor)) => {
                            let Ok(tls) = acceptor.accept(stream).await else { return };
                            let cert_user = tls
                                .get_ref()
                                .1
                                .peer_certificates()
                                .and_then(|c| c.first())
                                .and_then(|c| tls::client_cert_user(c.as_ref()));
                            let service = service_fn(move |req| handle(shared.clone(), req, cert_user));
                            let conn = http1::Builder::new().serve_connection(TokioIo::new(tls), service);
                            tokio::select! {
                                _ = conn => {}
                                _ = stopped(&mut stop) => {}
                            }
                        }
                        _ => {
                            let service = service_fn(move |req| handle(shared.clone(), req, None));
                            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                            tokio::select! {
                                _ = conn => {}
                                _ = stopped(&mut stop) => {}
                            }
                        }
                    }
                });
            }
            _ = stopped(&mut shutdown) => break,
        }
    }
}
