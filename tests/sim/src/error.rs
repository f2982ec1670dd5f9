//! API errors rendered as `metav1.Status` bodies with the reasons and messages kube-apiserver uses.

use serde_json::{Value, json};

use crate::store::Gvr;

/// An error answered to a client as a `metav1.Status` (code, reason, message, details).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub reason: String,
    pub message: String,
    pub details: Option<Value>,
}

/// `plural.group`, or just `plural` for the core group: how the apiserver names a resource.
pub fn qualified_resource(gvr: &Gvr) -> String {
    if gvr.group.is_empty() {
        gvr.plural.clone()
    } else {
        format!("{}.{}", gvr.plural, gvr.group)
    }
}

fn details(gvr: &Gvr, name: &str) -> Value {
    let mut d = json!({ "group": gvr.group, "kind": gvr.plural });
    if !name.is_empty() {
        d["name"] = json!(name);
    }
    d
}

impl ApiError {
    pub fn new(code: u16, reason: &str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason: reason.to_string(),
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn not_found(gvr: &Gvr, name: &str) -> Self {
        ApiError::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", qualified_resource(gvr)),
        )
        .with_details(details(gvr, name))
    }

    /// 404 for a URL that names no resource at all.
    pub fn page_not_found() -> Self {
        ApiError::new(404, "NotFound", "the server could not find the requested resource")
            .with_details(json!({ "causes": [{ "reason": "UnexpectedServerResponse", "message": "404 page not found" }] }))
    }

    pub fn already_exists(gvr: &Gvr, name: &str) -> Self {
        ApiError::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", qualified_resource(gvr)),
        )
        .with_details(details(gvr, name))
    }

    /// 409 for a stale `resourceVersion` on update.
    pub fn conflict(gvr: &Gvr, name: &str) -> Self {
        ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; \
                 please apply your changes to the latest version and try again",
                qualified_resource(gvr)
            ),
        )
        .with_details(details(gvr, name))
    }

    /// 422 with field causes, message shaped like
    /// `VirtualMachineSnapshot.snapshot.kubevirt.io "s1" is invalid: spec.source: Required value`.
    /// Each cause is (field, reason such as `FieldValueRequired`, message such as `Required value`).
    pub fn invalid(
        kind: &str,
        group: &str,
        name: &str,
        causes: &[(String, String, String)],
    ) -> Self {
        let qualified = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let parts: Vec<String> = causes
            .iter()
            .map(|(field, _, msg)| {
                if field.is_empty() {
                    msg.clone()
                } else {
                    format!("{field}: {msg}")
                }
            })
            .collect();
        let joined = match parts.len() {
            0 => String::from("invalid object"),
            1 => parts[0].clone(),
            _ => format!("[{}]", parts.join(", ")),
        };
        let causes: Vec<Value> = causes
            .iter()
            .map(|(field, reason, message)| json!({ "reason": reason, "message": message, "field": field }))
            .collect();
        ApiError::new(
            422,
            "Invalid",
            format!("{qualified} \"{name}\" is invalid: {joined}"),
        )
        .with_details(json!({ "name": name, "group": group, "kind": kind, "causes": causes }))
    }

    /// 403 exactly as the RBAC authorizer words it.
    pub fn forbidden(
        user: &str,
        verb: &str,
        gvr: &Gvr,
        subresource: Option<&str>,
        ns: Option<&str>,
        name: &str,
    ) -> Self {
        let resource = match subresource {
            Some(sub) => format!("{}/{sub}", gvr.plural),
            None => gvr.plural.clone(),
        };
        let subject = if name.is_empty() {
            qualified_resource(gvr)
        } else {
            format!("{} \"{name}\"", qualified_resource(gvr))
        };
        let scope = match ns {
            Some(ns) if !ns.is_empty() => format!("in the namespace \"{ns}\""),
            _ => String::from("at the cluster scope"),
        };
        ApiError::new(
            403,
            "Forbidden",
            format!(
                "{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{}\" {scope}",
                gvr.group
            ),
        )
        .with_details(details(gvr, name))
    }

    pub fn unauthorized() -> Self {
        ApiError::new(401, "Unauthorized", "Unauthorized")
    }

    pub fn too_many_requests(retry_after: u32) -> Self {
        ApiError::new(429, "TooManyRequests", "Too many requests, please try again later.")
            .with_details(json!({ "causes": [{ "message": "client rate limited (simulated)" }], "retryAfterSeconds": retry_after }))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(500, "InternalError", message)
    }

    pub fn service_unavailable(message: impl Into<String>) -> Self {
        ApiError::new(503, "ServiceUnavailable", message)
    }

    pub fn method_not_allowed(method: &str) -> Self {
        ApiError::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(400, "BadRequest", message)
    }

    pub fn unsupported_media_type(content_type: &str) -> Self {
        ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got {content_type:?})"
            ),
        )
    }

    /// 410 for a watch or list from a compacted resourceVersion.
    pub fn expired(requested: u64, oldest: u64) -> Self {
        ApiError::new(
            410,
            "Expired",
            format!("too old resource version: {requested} ({oldest})"),
        )
    }

    /// A generic error for a given HTTP status (fault injection).
    /// A `retry_after` on another status (503, 500) is sent too, as the apiserver does when
    /// it is shedding load.
    pub fn from_status(code: u16, retry_after: Option<u32>) -> Self {
        let mut e = match code {
            401 => ApiError::unauthorized(),
            404 => ApiError::page_not_found(),
            400 => ApiError::new(400, "BadRequest", "injected bad request"),
            403 => ApiError::new(403, "Forbidden", "injected: forbidden"),
            405 => ApiError::method_not_allowed("injected"),
            409 => ApiError::new(409, "Conflict", "injected conflict"),
            410 => ApiError::new(410, "Expired", "injected: resource version expired"),
            422 => ApiError::new(422, "Invalid", "injected: the object is invalid"),
            429 => ApiError::too_many_requests(retry_after.unwrap_or(1)),
            500 => ApiError::internal("Internal error occurred: injected fault"),
            503 => ApiError::service_unavailable(
                "the server is currently unable to handle the request (injected fault)",
            ),
            504 => ApiError::new(
                504,
                "Timeout",
                "the server was unable to return a response in the time allotted (injected fault)",
            ),
            _ => ApiError::new(
                code,
                "InternalError",
                format!("injected fault with status {code}"),
            ),
        };
        if let Some(secs) = retry_after
            && code != 429
        {
            let mut details = e.details.take().unwrap_or_else(|| json!({}));
            details["retryAfterSeconds"] = json!(secs);
            e.details = Some(details);
        }
        e
    }

    /// Retry-After seconds, if this error carries one.
    pub fn retry_after(&self) -> Option<u64> {
        self.details.as_ref()?.get("retryAfterSeconds")?.as_u64()
    }

    /// The `metav1.Status` body.
    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            s["details"] = d.clone();
        }
        s
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.reason, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_errors_carry_the_reason_kubernetes_gives_their_status() {
        for (code, reason) in [
            (400, "BadRequest"),
            (401, "Unauthorized"),
            (403, "Forbidden"),
            (404, "NotFound"),
            (409, "Conflict"),
            (410, "Expired"),
            (422, "Invalid"),
            (429, "TooManyRequests"),
            (500, "InternalError"),
            (503, "ServiceUnavailable"),
            (504, "Timeout"),
        ] {
            let status = ApiError::from_status(code, None).to_status();
            assert_eq!(status["reason"], reason, "{code}");
            assert_eq!(status["code"], code, "{code}");
        }
    }

    #[test]
    fn forbidden_message_matches_the_rbac_authorizer() {
        let gvr = Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");
        let e = ApiError::forbidden("alice", "create", &gvr, None, Some("prod"), "");
        assert_eq!(
            e.message,
            "virtualmachinesnapshots.snapshot.kubevirt.io is forbidden: User \"alice\" cannot create resource \"virtualmachinesnapshots\" in API group \"snapshot.kubevirt.io\" in the namespace \"prod\""
        );
        assert_eq!(e.to_status()["code"], 403);
    }

    #[test]
    fn invalid_message_lists_field_causes() {
        let e = ApiError::invalid(
            "VirtualMachineSnapshot",
            "snapshot.kubevirt.io",
            "s1",
            &[(
                "spec.source".into(),
                "FieldValueRequired".into(),
                "Required value".into(),
            )],
        );
        assert_eq!(
            e.message,
            "VirtualMachineSnapshot.snapshot.kubevirt.io \"s1\" is invalid: spec.source: Required value"
        );
        assert_eq!(
            e.details.as_ref().unwrap()["causes"][0]["field"],
            "spec.source"
        );
    }

    #[test]
    fn core_not_found_has_no_group_suffix() {
        let e = ApiError::not_found(&Gvr::new("", "v1", "namespaces"), "x");
        assert_eq!(e.message, "namespaces \"x\" not found");
    }
}
