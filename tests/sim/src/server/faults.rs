//! Fault injection: error responses by verb/resource/name/count, 429 with Retry-After,
//! dropped watches, forced 410 Gone, and per-request latency.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// Answer matching requests with `status`. `method` is an HTTP method (GET, POST, ...) or a
/// Kubernetes verb (get, list, watch, create, update, patch, delete); `resource` a plural;
/// `times` how many requests to fail (None = all); `retry_after` seconds for 429.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub status: u16,
    #[serde(default)]
    pub times: Option<u32>,
    #[serde(default)]
    pub retry_after: Option<u32>,
}

/// What a request looks like to the fault matcher.
pub struct RequestShape<'a> {
    pub method: &'a str,
    pub verb: &'a str,
    pub resource: Option<&'a str>,
    pub name: Option<&'a str>,
}

impl FaultRule {
    fn matches(&self, req: &RequestShape<'_>) -> bool {
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(req.method)
            && !m.eq_ignore_ascii_case(req.verb)
        {
            return false;
        }
        if let Some(r) = &self.resource
            && req.resource != Some(r.as_str())
        {
            return false;
        }
        if let Some(n) = &self.name
            && req.name != Some(n.as_str())
        {
            return false;
        }
        true
    }
}

/// The live fault settings of a running simulator.
#[derive(Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    drop_watch_after: Mutex<Option<u32>>,
    expire_watch_rv: AtomicBool,
    rtt_ms: AtomicU32,
}

impl Faults {
    /// Fail matching requests (rules are tried in the order added).
    pub fn fail(&self, rule: FaultRule) {
        self.rules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(rule);
    }

    /// The next watch stream is closed after sending `events` events.
    pub fn drop_watch_after(&self, events: u32) {
        *self
            .drop_watch_after
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(events);
    }

    /// The next watch that gives a resourceVersion gets 410 Gone.
    pub fn expire_watch_rv(&self) {
        self.expire_watch_rv.store(true, Ordering::SeqCst);
    }

    /// Latency added to every client request.
    pub fn set_rtt(&self, d: Duration) {
        self.rtt_ms.store(
            d.as_millis().min(u128::from(u32::MAX)) as u32,
            Ordering::SeqCst,
        );
    }

    pub fn rtt(&self) -> Duration {
        Duration::from_millis(u64::from(self.rtt_ms.load(Ordering::SeqCst)))
    }

    /// Remove every rule and pending watch fault (the RTT stays).
    pub fn clear(&self) {
        self.rules.lock().unwrap_or_else(|e| e.into_inner()).clear();
        *self
            .drop_watch_after
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = None;
        self.expire_watch_rv.store(false, Ordering::SeqCst);
    }

    /// The injected error for this request, if a rule matches (consuming one of its `times`).
    pub fn check(&self, req: &RequestShape<'_>) -> Option<ApiError> {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let idx = rules
            .iter()
            .position(|r| r.matches(req) && r.times != Some(0))?;
        let rule = rules[idx].clone();
        if let Some(t) = rules[idx].times.as_mut() {
            *t -= 1;
            if *t == 0 {
                rules.remove(idx);
            }
        }
        Some(ApiError::from_status(rule.status, rule.retry_after))
    }

    pub(crate) fn take_drop_watch_after(&self) -> Option<u32> {
        self.drop_watch_after
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    pub(crate) fn take_expire_watch_rv(&self) -> bool {
        self.expire_watch_rv.swap(false, Ordering::SeqCst)
    }

    /// Current rules (for `GET /sim/faults`).
    pub fn rules(&self) -> Vec<FaultRule> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counted_rule_fails_that_many_matching_requests() {
        let f = Faults::default();
        f.fail(FaultRule {
            method: Some("create".into()),
            resource: Some("vms".into()),
            status: 503,
            times: Some(2),
            ..Default::default()
        });
        let req = RequestShape {
            method: "POST",
            verb: "create",
            resource: Some("vms"),
            name: None,
        };
        let other = RequestShape {
            method: "GET",
            verb: "list",
            resource: Some("vms"),
            name: None,
        };
        assert!(f.check(&other).is_none());
        assert_eq!(f.check(&req).unwrap().code, 503);
        assert_eq!(f.check(&req).unwrap().code, 503);
        assert!(f.check(&req).is_none());
    }

    #[test]
    fn too_many_requests_carries_retry_after() {
        let f = Faults::default();
        f.fail(FaultRule {
            status: 429,
            retry_after: Some(3),
            ..Default::default()
        });
        let e = f
            .check(&RequestShape {
                method: "GET",
                verb: "get",
                resource: None,
                name: None,
            })
            .unwrap();
        assert_eq!(e.retry_after(), Some(3));
        f.clear();
        f.fail(FaultRule {
            status: 503,
            retry_after: Some(5),
            ..Default::default()
        });
        let shape = RequestShape {
            method: "GET",
            verb: "get",
            resource: None,
            name: None,
        };
        let e = f.check(&shape).unwrap();
        assert_eq!((e.code, e.retry_after()), (503, Some(5)));
    }
}
