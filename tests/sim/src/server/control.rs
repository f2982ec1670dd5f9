//! `/sim/*`: controls for tests that run the binary (request log, faults, objects, latency).
//! Not authenticated and not logged.

use bytes::Bytes;
use hyper::Response;
use serde_json::{Value, json};

use super::faults::FaultRule;
use super::path::parse_query;
use super::{Body, Shared, error_response, json_response};
use crate::error::ApiError;
use crate::scenario::Scenario;

pub fn handle(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &str,
    body: &Bytes,
) -> Response<Body> {
    match run(shared, method, path, query, body) {
        Ok(v) => json_response(200, &v),
        Err(e) => error_response(&e),
    }
}

fn run(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &str,
    body: &Bytes,
) -> Result<Value, ApiError> {
    let q = parse_query(query);
    let text = std::str::from_utf8(body).map_err(|_| ApiError::bad_request("body is not UTF-8"))?;
    match (method, path.trim_end_matches('/')) {
        ("GET", "/sim/healthz") => Ok(json!("ok")),
        ("GET", "/sim/requests") => {
            Ok(serde_json::to_value(shared.requests()).unwrap_or(json!([])))
        }
        ("DELETE", "/sim/requests") => {
            shared.clear_requests();
            Ok(json!({}))
        }
        ("GET", "/sim/faults") => {
            Ok(serde_json::to_value(shared.faults.rules()).unwrap_or(json!([])))
        }
        ("POST", "/sim/faults") => {
            let rule: FaultRule = serde_json::from_str(text)
                .map_err(|e| ApiError::bad_request(format!("invalid fault rule: {e}")))?;
            shared.faults.fail(rule);
            Ok(json!({}))
        }
        ("DELETE", "/sim/faults") => {
            shared.faults.clear();
            Ok(json!({}))
        }
        ("POST", "/sim/faults/drop-watch") => {
            let after = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
            shared.faults.drop_watch_after(after);
            Ok(json!({}))
        }
        ("POST", "/sim/faults/expire-watch") => {
            shared.faults.expire_watch_rv();
            Ok(json!({}))
        }
        ("POST", "/sim/compact") => {
            shared.store.compact();
            Ok(json!({}))
        }
        ("PUT" | "POST", "/sim/rtt") => {
            let ms = q.get("ms").and_then(|a| a.parse().ok()).unwrap_or(0);
            shared.faults.set_rtt(std::time::Duration::from_millis(ms));
            Ok(json!({}))
        }
        ("POST", "/sim/objects") => {
            let mut s = Scenario::default();
            s.load_str("request.yaml", text)
                .map_err(|e| ApiError::bad_request(format!("{e:#}")))?;
            let n = s.objects.len();
            s.apply(&shared.store, &shared.registry)
                .map_err(|e| ApiError::bad_request(format!("{e:#}")))?;
            Ok(json!({ "applied": n }))
        }
        _ => Err(ApiError::page_not_found()),
    }
}
