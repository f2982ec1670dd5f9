//! Resource requests: get, list (selectors, pagination), create, update, patch, delete,
//! deletecollection, the status subresource, KubeVirt's start/stop/freeze actions and
//! SelfSubjectAccessReview.

use hyper::Response;
use serde_json::{Value, json};

use super::auth::{self, Attributes};
use super::patch::{json_patch, merge_patch};
use super::path::ResourcePath;
use super::selectors::{FieldSelector, LabelSelector};
use super::table::{self, Shape};
use super::{Body, Ctx, json_response};
use crate::controllers::admission::{self, Operation};
use crate::controllers::{clone_admission, vmoperator_admission};
use crate::error::ApiError;
use crate::registry::ResourceDef;
use crate::schema;
use crate::store::{Gvr, set_api_version};

/// The verb of a resource request, as RBAC names it.
pub fn verb(method: &str, rp: &ResourcePath, watch: bool) -> &'static str {
    match (method, rp.name.is_some()) {
        ("GET" | "HEAD", true) => "get",
        ("GET" | "HEAD", false) if watch => "watch",
        ("GET" | "HEAD", false) => "list",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => "unknown",
    }
}

fn is_dns_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn body_object(ctx: &Ctx) -> Result<Value, ApiError> {
    match &ctx.body_json {
        Some(Ok(v)) if v.is_object() => Ok(v.clone()),
        Some(Ok(_)) => Err(ApiError::bad_request(
            "the body of the request must be an object",
        )),
        Some(Err(e)) => Err(e.clone()),
        None => Err(ApiError::bad_request("the body of the request was empty")),
    }
}

fn name_of(obj: &Value) -> String {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The validating webhooks, run after schema validation as the apiserver does: 422 with the
/// causes, or a webhook's own error (400).
fn admit(
    store: &crate::store::Store,
    gvr: &Gvr,
    op: Operation,
    obj: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    admission::admit(store, gvr, op, obj, old).map_err(|denial| {
        let status = denial.to_status();
        let reason = status["reason"].as_str().unwrap_or("Invalid");
        let code = status["code"]
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(422);
        let mut e = ApiError::new(code, reason, denial.message());
        e.details = status.get("details").cloned();
        e
    })
}

/// Schema validation and pruning, `fieldValidation`, and name checks: 422 / 400 like the apiserver.
fn validate(
    ctx: &mut Ctx,
    def: &ResourceDef,
    version: &str,
    obj: &mut Value,
) -> Result<(), ApiError> {
    let name = name_of(obj);
    if !name.is_empty() && !is_dns_subdomain(&name) {
        return Err(ApiError::invalid(
            &def.kind,
            &def.group,
            &name,
            &[(
                "metadata.name".into(),
                "FieldValueInvalid".into(),
                format!(
                    "Invalid value: {name:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                ),
            )],
        ));
    }
    let Some(schema) = def.schema(version).cloned() else {
        return Ok(());
    };
    let outcome = schema::validate_and_prune(&schema, obj);
    if !outcome.causes.is_empty() {
        let causes: Vec<(String, String, String)> = outcome
            .causes
            .into_iter()
            .map(|c| (c.field, c.reason, c.message))
            .collect();
        return Err(ApiError::invalid(&def.kind, &def.group, &name, &causes));
    }
    if !outcome.pruned.is_empty() {
        let unknown: Vec<String> = outcome
            .pruned
            .iter()
            .map(|p| format!("unknown field \"{p}\""))
            .collect();
        match ctx.query.get("fieldValidation").map(String::as_str) {
            Some("Strict") => {
                return Err(ApiError::bad_request(format!(
                    "{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
                    unknown.join(", "),
                    kind = def.kind,
                )));
            }
            Some("Ignore") => {}
            _ => ctx.warnings.extend(unknown),
        }
    }
    Ok(())
}

fn keep_status(new: &mut Value, current: &Value) {
    if let Some(m) = new.as_object_mut() {
        match current.get("status") {
            Some(s) => {
                m.insert("status".into(), s.clone());
            }
            None => {
                m.remove("status");
            }
        }
    }
}

fn only_status(current: &Value, from: &Value) -> Value {
    let mut new = current.clone();
    keep_status(&mut new, from);
    new
}

fn encode_continue(rv: u64, ns: &str, name: &str) -> String {
    format!("{rv}\n{ns}\n{name}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_continue(token: &str) -> Option<(u64, String, String)> {
    if !token.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok())
        .collect();
    let text = String::from_utf8(bytes?).ok()?;
    let mut parts = text.splitn(3, '\n');
    Some((
        parts.next()?.parse().ok()?,
        parts.next()?.to_string(),
        parts.next()?.to_string(),
    ))
}

/// Answer one resource request after routing and authentication.
pub async fn handle(
    ctx: &mut Ctx,
    rp: ResourcePath,
    verb: &'static str,
) -> Result<Response<Body>, ApiError> {
    let shared = ctx.shared.clone();
    // SelfSubjectAccessReview: answered from the caller's own rules.
    if rp.group == "authorization.k8s.io"
        && rp.plural == "selfsubjectaccessreviews"
        && rp.version == "v1"
    {
        if verb != "create" {
            return Err(ApiError::method_not_allowed(&ctx.method));
        }
        let body = body_object(ctx)?;
        return Ok(json_response(201, &auth::review(&ctx.user, &body)));
    }
    if rp.group == "authorization.k8s.io"
        && rp.plural == "selfsubjectrulesreviews"
        && rp.version == "v1"
    {
        if verb != "create" {
            return Err(ApiError::method_not_allowed(&ctx.method));
        }
        let body = body_object(ctx)?;
        return Ok(json_response(201, &auth::rules_review(&ctx.user, &body)));
    }
    if let (Some(sub), Some(name)) = (&rp.subresource, &rp.name)
        && let Some(action) = shared
            .registry
            .action(&rp.group, &rp.version, &rp.plural, sub)
            .cloned()
    {
        let attrs = Attributes {
            verb: verb.into(),
            group: rp.group.clone(),
            resource: rp.plural.clone(),
            subresource: sub.clone(),
            namespace: rp.namespace.clone(),
            name: name.clone(),
        };
        if !ctx.user.allows(&attrs) {
            let gvr = Gvr::new(&rp.group, &rp.version, &rp.plural);
            return Err(ApiError::forbidden(
                &ctx.user.name,
                verb,
                &gvr,
                Some(sub),
                rp.namespace.as_deref(),
                name,
            ));
        }
        if ctx.method != "PUT" {
            return Err(ApiError::method_not_allowed(&ctx.method));
        }
        return super::actions::run(ctx, &action, rp.namespace.as_deref(), name);
    }
    let Some(def) = shared
        .registry
        .lookup(&rp.group, &rp.version, &rp.plural)
        .cloned()
    else {
        return Err(ApiError::page_not_found());
    };
    let gvr = def.gvr(&rp.version);
    if !def.namespaced && rp.namespace.is_some() {
        return Err(ApiError::page_not_found());
    }
    if def.namespaced
        && rp.namespace.is_none()
        && (rp.name.is_some() || verb == "create" || verb == "deletecollection")
    {
        return Err(ApiError::page_not_found());
    }
    let sub = rp.subresource.clone();
    if let Some(s) = &sub
        && !(s == "status" && def.status_subresource)
    {
        return Err(ApiError::page_not_found());
    }
    // POST names a collection; PUT, PATCH and named DELETE an object.
    let misplaced = match verb {
        "create" => rp.name.is_some(),
        "update" | "patch" => rp.name.is_none(),
        _ => false,
    };
    if misplaced || !def.verbs.contains(&verb) {
        return Err(ApiError::method_not_allowed(&ctx.method));
    }
    let ns = rp.namespace.clone();
    let name = rp.name.clone().unwrap_or_default();
    let attrs = Attributes {
        verb: verb.into(),
        group: def.group.clone(),
        resource: def.plural.clone(),
        subresource: sub.clone().unwrap_or_default(),
        namespace: ns.clone(),
        name: name.clone(),
    };
    if !ctx.user.allows(&attrs) {
        return Err(ApiError::forbidden(
            &ctx.user.name,
            verb,
            &gvr,
            sub.as_deref(),
            ns.as_deref(),
            &name,
        ));
    }
    let status_sub = sub.is_some();
    match verb {
        "get" => get(ctx, &def, &gvr, ns.as_deref(), &name),
        "list" => list(ctx, &def, &gvr, ns.as_deref()),
        "watch" => super::watch::watch(ctx, &def, &gvr, ns.as_deref()),
        "create" => create(ctx, &def, &gvr, ns.as_deref()),
        "update" => update(ctx, &def, &gvr, ns.as_deref(), &name, status_sub),
        "patch" => patch(ctx, &def, &gvr, ns.as_deref(), &name, status_sub),
        "delete" => delete(ctx, &def, &gvr, ns.as_deref(), &name),
        "deletecollection" => delete_collection(ctx, &def, &gvr, ns.as_deref()),
        _ => Err(ApiError::method_not_allowed(&ctx.method)),
    }
}

fn shaped_one(ctx: &Ctx, def: &ResourceDef, obj: Value) -> Value {
    match Shape::from_accept(&ctx.accept) {
        Shape::Table => {
            let include = ctx
                .query
                .get("includeObject")
                .map(String::as_str)
                .unwrap_or("Metadata");
            let rv = obj
                .pointer("/metadata/resourceVersion")
                .cloned()
                .unwrap_or(json!(""));
            table::table(
                def,
                std::slice::from_ref(&obj),
                include,
                json!({ "resourceVersion": rv }),
            )
        }
        Shape::Metadata => table::partial_metadata(&obj),
        Shape::Object => obj,
    }
}

fn get(
    ctx: &mut Ctx,
    def: &ResourceDef,
    gvr: &Gvr,
    ns: Option<&str>,
    name: &str,
) -> Result<Response<Body>, ApiError> {
    let obj = ctx
        .shared
        .store
        .get(gvr, ns, name)
        .ok_or_else(|| ApiError::not_found(gvr, name))?;
    Ok(json_response(200, &shaped_one(ctx, def, obj)))
}

/// Selected objects of one page, the list's resourceVersion and its continue metadata.
pub(crate) struct Page {
    pub items: Vec<Value>,
    pub meta: Value,
}

pub(crate) fn list_page(ctx: &Ctx, gvr: &Gvr, ns: Option<&str>) -> Result<Page, ApiError> {
    let mut items = Vec::new();
    let meta = list_page_with(ctx, gvr, ns, |o| {
        let mut o = o.clone();
        set_api_version(&mut o, gvr);
        items.push(o);
    })?;
    Ok(Page { items, meta })
}

/// Walk one page of selected objects (as stored) under the store's read lock, handing each to
/// `emit`; returns the list metadata (resourceVersion, continue, remainingItemCount).
pub(crate) fn list_page_with(
    ctx: &Ctx,
    gvr: &Gvr,
    ns: Option<&str>,
    mut emit: impl FnMut(&Value),
) -> Result<Value, ApiError> {
    let q = &ctx.query;
    let labels = LabelSelector::parse(q.get("labelSelector").map(String::as_str).unwrap_or(""))?;
    let fields = FieldSelector::parse_for(
        q.get("fieldSelector").map(String::as_str).unwrap_or(""),
        &gvr.group,
        &gvr.plural,
    )?;
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let store = &ctx.shared.store;
    let mut after: Option<(String, String)> = None;
    let mut pinned_rv = None;
    if let Some(token) = q.get("continue").filter(|t| !t.is_empty()) {
        let (rv, a_ns, a_name) = decode_continue(token).ok_or_else(|| ApiError::bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"))?;
        if rv < store.compacted_resource_version() {
            return Err(ApiError::new(
                410,
                "Expired",
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
            ));
        }
        pinned_rv = Some(rv);
        after = Some((a_ns, a_name));
    }
    let no_selectors = labels.is_empty() && fields.is_empty();
    let mut count = 0usize;
    let mut last: Option<(String, String)> = None;
    let mut more = false;
    let mut remaining: u64 = 0;
    let name_only = fields.exact_name().map(str::to_string);
    let seen_rv = store.visit(
        gvr,
        ns,
        after.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        |o| {
            if let Some(n) = &name_only
                && o.pointer("/metadata/name").and_then(Value::as_str) != Some(n.as_str())
            {
                return true;
            }
            if !fields.matches(o) || !labels.matches(o) {
                return true;
            }
            if limit.is_some_and(|l| count >= l) {
                more = true;
                remaining += 1;
                // Counting the rest is only reported (and only worth it) without selectors.
                return no_selectors;
            }
            count += 1;
            if limit.is_some() {
                let o_ns = o
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                last = Some((o_ns.to_string(), name_of(o)));
            }
            emit(o);
            true
        },
    );
    let rv = pinned_rv.unwrap_or(seen_rv);
    let mut meta = json!({ "resourceVersion": rv.to_string() });
    if more && let Some((l_ns, l_name)) = last {
        meta["continue"] = json!(encode_continue(rv, &l_ns, &l_name));
        if no_selectors {
            meta["remainingItemCount"] = json!(remaining);
        }
    }
    Ok(meta)
}

/// A plain list serialized straight from the store, without copying the objects.
fn list_json(
    ctx: &Ctx,
    def: &ResourceDef,
    gvr: &Gvr,
    ns: Option<&str>,
) -> Result<Vec<u8>, ApiError> {
    let api_version = gvr.api_version();
    let mut items: Vec<u8> = Vec::with_capacity(4096);
    let mut first = true;
    let meta = list_page_with(ctx, gvr, ns, |o| {
        if !first {
            items.push(b',');
        }
        first = false;
        if o.get("apiVersion").and_then(Value::as_str) == Some(api_version.as_str()) {
            let _ = serde_json::to_writer(&mut items, o);
        } else {
            let mut o = o.clone();
            set_api_version(&mut o, gvr);
            let _ = serde_json::to_writer(&mut items, &o);
        }
    })?;
    let head = json!({ "kind": def.list_kind, "apiVersion": api_version, "metadata": meta });
    let mut out = serde_json::to_vec(&head).unwrap_or_default();
    // Replace the closing brace with the items array.
    out.pop();
    out.extend_from_slice(b",\"items\":[");
    out.extend_from_slice(&items);
    out.extend_from_slice(b"]}");
    Ok(out)
}

fn list(
    ctx: &mut Ctx,
    def: &ResourceDef,
    gvr: &Gvr,
    ns: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let shape = Shape::from_accept(&ctx.accept);
    if shape == Shape::Object {
        return Ok(super::full(
            200,
            "application/json",
            list_json(ctx, def, gvr, ns)?,
        ));
    }
    let page = list_page(ctx, gvr, ns)?;
    let body = match shape {
        Shape::Table => {
            let include = ctx
                .query
                .get("includeObject")
                .map(String::as_str)
                .unwrap_or("Metadata");
            table::table(def, &page.items, include, page.meta)
        }
        Shape::Metadata => json!({
            "kind": "PartialObjectMetadataList",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": page.meta,
            "items": page.items.iter().map(table::partial_metadata).collect::<Vec<_>>(),
        }),
        Shape::Object => {
            json!({ "kind": def.list_kind, "metadata": page.meta, "items": page.items })
        }
    };
    Ok(json_response(200, &body))
}

/// Check apiVersion/kind/namespace of a body against the URL and fill them in.
fn conform(
    def: &ResourceDef,
    gvr: &Gvr,
    ns: Option<&str>,
    obj: &mut Value,
) -> Result<(), ApiError> {
    if let Some(av) = obj.get("apiVersion").and_then(Value::as_str)
        && !av.is_empty()
        && av.split('/').next() != gvr.api_version().split('/').next()
    {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({av}) does not match the expected API version ({})",
            gvr.api_version()
        )));
    }
    if let Some(kind) = obj.get("kind").and_then(Value::as_str)
        && !kind.is_empty()
        && kind != def.kind
    {
        return Err(ApiError::bad_request(format!(
            "the object provided is unrecognized (must be of type {}): couldn't find kind {kind} in {}",
            def.kind,
            gvr.api_version()
        )));
    }
    obj["apiVersion"] = json!(gvr.api_version());
    obj["kind"] = json!(def.kind);
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    let body_ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match ns {
        Some(ns) => {
            if !body_ns.is_empty() && body_ns != ns {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            obj["metadata"]["namespace"] = json!(ns);
        }
        None => {
            if let Some(m) = obj["metadata"].as_object_mut() {
                m.remove("namespace");
            }
        }
    }
    Ok(())
}

fn create(
    ctx: &mut Ctx,
    def: &ResourceDef,
    gvr: &Gvr,
    ns: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let mut obj = body_object(ctx)?;
    conform(def, gvr, ns, &mut obj)?;
    let store = ctx.shared.store.clone();
    if let Some(ns) = ns
        && store
            .get(&Gvr::new("", "v1", "namespaces"), None, ns)
            .is_none()
    {
        return Err(ApiError::not_found(&Gvr::new("", "v1", "namespaces"), ns));
    }
    if let Some(ns) = ns
        && store.namespace_terminating(ns)
    {
        let name = name_of(&obj);
        let subject = if name.is_empty() {
            crate::error::qualified_resource(gvr)
        } else {
            format!("{} \"{name}\"", crate::error::qualified_resource(gvr))
        };
        let message = format!("namespace {ns} is being terminated");
        return Err(ApiError::new(
            403,
            "Forbidden",
            format!("{subject} is forbidden: unable to create new content in namespace {ns} because it is being terminated"),
        )
        .with_details(json!({
            "name": name,
            "group": gvr.group,
            "kind": gvr.plural,
            "causes": [{ "reason": "NamespaceTerminating", "message": message, "field": "metadata.namespace" }],
        })));
    }
    if let Some(m) = obj["metadata"].as_object_mut() {
        for f in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "managedFields",
            "selfLink",
        ] {
            m.remove(f);
        }
    }
    if def.status_subresource
        && let Some(m) = obj.as_object_mut()
    {
        m.remove("status");
    }
    if def.group.is_empty() && def.plural == "namespaces" {
        obj["status"] = json!({ "phase": "Active" });
        if obj.pointer("/spec/finalizers").is_none() {
            obj["spec"] = json!({ "finalizers": ["kubernetes"] });
        }
    }
    // Mutating webhooks run before validation, as in the apiserver.
    vmoperator_admission::mutate(gvr, Operation::Create, &mut obj);
    clone_admission::mutate(gvr, Operation::Create, &mut obj);
    validate(ctx, def, &gvr.version, &mut obj)?;
    admit(&ctx.shared.store, gvr, Operation::Create, &obj, None)?;
    let created = store.create_opt(gvr, obj, ctx.dry_run)?;
    Ok(json_response(201, &created))
}

fn update(
    ctx: &mut Ctx,
    def: &ResourceDef,
    gvr: &Gvr,
    ns: Option<&str>,
    name: &str,
    status_sub: bool,
) -> Result<Response<Body>, ApiError> {
    let mut body = body_object(ctx)?;
    conform(def, gvr, ns, &mut body)?;
    let body_name = name_of(&body);
    if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    let given_rv = body
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if def.custom && given_rv.is_empty() {
        return Err(ApiError::invalid(
            &def.kind,
            &def.group,
            name,
            &[(
                "metadata.resourceVersion".into(),
                "FieldValueInvalid".into(),
                "Invalid value: 0x0: must be specified for an update".into(),
            )],
        ));
    }
    let store = ctx.shared.store.clone();
    let dry = ctx.dry_run;
    let mut warnings = Vec::new();
    let result = store.try_mutate_opt(gvr, ns, name, dry, |cur| {
        let cur_rv = cur
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !given_rv.is_empty() && given_rv != cur_rv {
            return Err(ApiError::conflict(gvr, name));
        }
        let mut new = if status_sub {
            only_status(cur, &body)
        } else {
            let mut n = body.clone();
            if def.status_subresource {
                keep_status(&mut n, cur);
            }
            n
        };
        let mut inner = Ctx::detached(ctx);
        validate(&mut inner, def, &gvr.version, &mut new)?;
        if !status_sub {
            // Under the store lock: update-time admission must not read the store.
            admit(&inner.shared.store, gvr, Operation::Update, &new, Some(cur))?;
        }
        warnings = inner.warnings;
        *cur = new;
        Ok(())
    });
    ctx.warnings.extend(warnings);
    Ok(json_response(200, &result?))
}

fn patch(
    ctx: &mut Ctx,
    def: &ResourceDef,
    gvr: &Gvr,
    ns: Option<&str>,
    name: &str,
    status_sub: bool,
) -> Result<Response<Body>, ApiError> {
    let ct = ctx
        .content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let patch_body = match &ctx.body_json {
        Some(Ok(v)) => v.clone(),
        Some(Err(e)) => return Err(e.clone()),
        None => return Err(ApiError::bad_request("the body of the request was empty")),
    };
    enum Kind {
        Merge,
        Json,
        Apply,
    }
    let kind = match ct.as_str() {
        "application/merge-patch+json" => Kind::Merge,
        "application/json-patch+json" => Kind::Json,
        "application/apply-patch+yaml" | "application/apply-patch+json" => Kind::Apply,
        // Built-in kinds take strategic merge patches; approximated by a merge patch.
        "application/strategic-merge-patch+json" if !def.custom => Kind::Merge,
        other => return Err(ApiError::unsupported_media_type(other)),
    };
    let store = ctx.shared.store.clone();
    if matches!(kind, Kind::Apply) && !status_sub && store.get(gvr, ns, name).is_none() {
        // Server-side apply of a new object creates it.
        let mut obj = patch_body.clone();
        conform(def, gvr, ns, &mut obj)?;
        obj["metadata"]["name"] = json!(name);
        if def.status_subresource
            && let Some(m) = obj.as_object_mut()
        {
            m.remove("status");
        }
        vmoperator_admission::mutate(gvr, Operation::Create, &mut obj);
        clone_admission::mutate(gvr, Operation::Create, &mut obj);
        validate(ctx, def, &gvr.version, &mut obj)?;
        admit(&ctx.shared.store, gvr, Operation::Create, &obj, None)?;
        return Ok(json_response(
            201,
            &store.create_opt(gvr, obj, ctx.dry_run)?,
        ));
    }
    let dry = ctx.dry_run;
    let mut warnings = Vec::new();
    let result = store.try_mutate_opt(gvr, ns, name, dry, |cur| {
        let mut patched = cur.clone();
        match kind {
            Kind::Merge | Kind::Apply => merge_patch(&mut patched, &patch_body),
            Kind::Json => json_patch(&mut patched, &patch_body)?,
        }
        let cur_rv = cur.pointer("/metadata/resourceVersion").cloned();
        if patched.pointer("/metadata/resourceVersion").cloned() != cur_rv {
            return Err(ApiError::conflict(gvr, name));
        }
        let mut new = if status_sub {
            only_status(cur, &patched)
        } else {
            if def.status_subresource {
                keep_status(&mut patched, cur);
            }
            patched
        };
        let mut inner = Ctx::detached(ctx);
        validate(&mut inner, def, &gvr.version, &mut new)?;
        if !status_sub {
            // Under the store lock: update-time admission must not read the store.
            admit(&inner.shared.store, gvr, Operation::Update, &new, Some(cur))?;
        }
        warnings = inner.warnings;
        *cur = new;
        Ok(())
    });
    ctx.warnings.extend(warnings);
    Ok(json_response(200, &result?))
}

fn delete(
    ctx: &mut Ctx,
    _def: &ResourceDef,
    gvr: &Gvr,
    ns: Option<&str>,
    name: &str,
) -> Result<Response<Body>, ApiError> {
    let store = ctx.shared.store.clone();
    let mut dry = ctx.dry_run;
    if let Some(Ok(opts)) = &ctx.body_json {
        if opts
            .get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == "All"))
        {
            dry = true;
            ctx.dry_run = true;
        }
        if let Some(pre) = opts.get("preconditions") {
            let cur = store
                .get(gvr, ns, name)
                .ok_or_else(|| ApiError::not_found(gvr, name))?;
            for (field, label) in [("uid", "UID"), ("resourceVersion", "ResourceVersion")] {
                if let Some(want) = pre.get(field).and_then(Value::as_str)
                    && cur
                        .pointer(&format!("/metadata/{field}"))
                        .and_then(Value::as_str)
                        != Some(want)
                {
                    let have = cur
                        .pointer(&format!("/metadata/{field}"))
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    return Err(ApiError::new(
                        409,
                        "Conflict",
                        format!(
                            "Operation cannot be fulfilled on {} \"{name}\": the {label} in the precondition ({want}) does not match the {label} in record ({have}). The object might have been deleted and then recreated",
                            crate::error::qualified_resource(gvr)
                        ),
                    ));
                }
            }
        }
    }
    let obj = store.delete_opt(gvr, ns, name, dry)?;
    Ok(json_response(200, &obj))
}

fn delete_collection(
    ctx: &mut Ctx,
    def: &ResourceDef,
    gvr: &Gvr,
    ns: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let mut all = ctx.query.clone();
    all.remove("limit");
    all.remove("continue");
    let detached = Ctx {
        query: all,
        ..Ctx::detached(ctx)
    };
    let page = list_page(&detached, gvr, ns)?;
    let store = ctx.shared.store.clone();
    let mut deleted = Vec::new();
    for o in page.items {
        let o_ns = o.pointer("/metadata/namespace").and_then(Value::as_str);
        if let Ok(d) = store.delete_opt(gvr, o_ns, &name_of(&o), ctx.dry_run) {
            deleted.push(d);
        }
    }
    Ok(json_response(
        200,
        &json!({ "kind": def.list_kind, "apiVersion": gvr.api_version(), "metadata": { "resourceVersion": store.resource_version().to_string() }, "items": deleted }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip() {
        let t = encode_continue(42, "prod", "db-01");
        assert_eq!(
            decode_continue(&t),
            Some((42, "prod".into(), "db-01".into()))
        );
        assert_eq!(decode_continue("zz"), None);
    }

    #[test]
    fn names_must_be_dns_subdomains() {
        assert!(is_dns_subdomain("db-01.example"));
        assert!(!is_dns_subdomain("DB"));
        assert!(!is_dns_subdomain("-a"));
    }
}
