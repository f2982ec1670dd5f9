//! Object operations every platform shares, on kube's `DynamicObject` API: the one dynamic
//! get, list, create, merge patch and delete, each addressed by plural + group + version and
//! each adding a "failed to …" context that names the object.

use anyhow::Context as _;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch,
    PatchParams, PostParams, Preconditions,
};
use kube::{Client, Error as KubeError};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::UserError;

/// `name` as one URL path segment. kube-core pastes names into paths as they are
/// (kube-core/src/request.rs), so a `#`, `?` or `/` would end or change the path: everything
/// outside RFC 3986's unreserved characters is percent-encoded, and so are the dots of a
/// `.` or `..` segment. A valid Kubernetes name comes out unchanged.
pub fn path_segment(name: &str) -> String {
    let dots_only = !name.is_empty() && name.bytes().all(|b| b == b'.');
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~');
        if unreserved || (b == b'.' && !dots_only) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An API handle for `ar` in namespace `ns` (None: cluster-scoped, or all namespaces), the
/// namespace encoded as a path segment.
/// The `ApiResource` of `kind` (plural `plural`) in `group`/`version`.
pub fn api_resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

pub fn dynamic_api(client: &Client, ar: &ApiResource, ns: Option<&str>) -> Api<DynamicObject> {
    match ns {
        Some(ns) => Api::namespaced_with(client.clone(), &path_segment(ns), ar),
        None => Api::all_with(client.clone(), ar),
    }
}

/// GETs `name` of `ar` in `ns`; None on 404. An answer that is not that object (a proxy that
/// rewrites paths can return another one) is refused rather than acted on.
pub async fn get_exact(
    client: &Client,
    ar: &ApiResource,
    ns: Option<&str>,
    name: &str,
) -> anyhow::Result<Option<Value>> {
    let got = dynamic_api(client, ar, ns)
        .get_opt(&path_segment(name))
        .await
        .and_then(|o| o.map(to_value).transpose())?;
    if let Some(obj) = &got {
        check_identity(obj, ar, ns, name)?;
    }
    Ok(got)
}

/// Fails unless `obj` is the object asked for: its kind and apiVersion (when the answer
/// states them), namespace and name.
pub fn check_identity(
    obj: &Value,
    ar: &ApiResource,
    ns: Option<&str>,
    name: &str,
) -> Result<(), UserError> {
    let field = |p: &str| obj.pointer(p).and_then(Value::as_str);
    let kind = field("/kind").unwrap_or(&ar.kind);
    let api_version = field("/apiVersion").unwrap_or(&ar.api_version);
    let got_ns = field("/metadata/namespace");
    let got_name = field("/metadata/name").unwrap_or("");
    if kind == ar.kind && api_version == ar.api_version && got_ns == ns && got_name == name {
        return Ok(());
    }
    let place = |ns: Option<&str>, name: &str| match ns {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_owned(),
    };
    Err(UserError::failure(format!(
        "asked the API server for {} {} ({}) and got {} {} ({}) instead; refusing to act on it",
        ar.kind,
        place(ns, name),
        ar.api_version,
        kind,
        place(got_ns, got_name),
        api_version,
    ))
    .hint(
        "something between you and the API server (a proxy or gateway) may be rewriting \
         request paths; check the server URL in your kubeconfig (kubectl config view --minify)",
    ))
}

/// A fetched object as plain JSON (the domain's functions read JSON).
pub fn to_value(obj: DynamicObject) -> Result<Value, KubeError> {
    serde_json::to_value(obj).map_err(KubeError::SerdeError)
}

/// Deletes `name`; with `uid`, only that exact object (a precondition, so one re-created under
/// the same name after the user confirmed is left alone). `Ok(false)` when it was already gone.
pub async fn delete_exact(
    api: &Api<DynamicObject>,
    name: &str,
    uid: Option<&str>,
    dry_run: bool,
) -> Result<bool, KubeError> {
    let dp = DeleteParams {
        dry_run,
        preconditions: uid.map(|u| Preconditions {
            uid: Some(u.to_owned()),
            resource_version: None,
        }),
        ..DeleteParams::default()
    };
    match api.delete(&path_segment(name), &dp).await {
        Ok(_) => Ok(true),
        Err(KubeError::Api(s)) if s.code == 404 => Ok(false),
        Err(e) => Err(e),
    }
}

/// Turns "already gone" (a DELETE answered 404) into an error: the command read the object
/// just before, so someone else removed it or the request reached another object, and this
/// command deleted nothing. `what` names it ("snapshot production/s1").
pub fn require_deleted(deleted: bool, what: &str) -> Result<(), UserError> {
    if deleted {
        return Ok(());
    }
    Err(UserError::not_found(format!(
        "{what} was not found when deleting it (answer 404): this command deleted nothing"
    ))
    .hint("it was removed meanwhile, or the request reached another object; list what is left with: kubectl vmsnap list"))
}

/// Every object the list finds (with a label `selector` when given), read in pages of `page`
/// with `continue` tokens, each converted to JSON as its page arrives.
pub async fn list_all(
    api: &Api<DynamicObject>,
    selector: Option<&str>,
    page: u32,
) -> Result<Vec<Value>, KubeError> {
    let mut lp = ListParams::default().limit(page);
    if let Some(s) = selector {
        lp = lp.labels(s);
    }
    list_all_with(api, lp).await
}

/// kubectl's list parameters: `-l`, `--field-selector`, `--chunk-size` (0: all in one
/// request, no `limit`).
pub fn list_params(labels: Option<&str>, fields: Option<&str>, chunk: u32) -> ListParams {
    let mut lp = ListParams::default();
    if chunk > 0 {
        lp = lp.limit(chunk);
    }
    if let Some(l) = labels {
        lp = lp.labels(l);
    }
    if let Some(f) = fields {
        lp = lp.fields(f);
    }
    lp
}

/// Every object a list with `params` (selectors, page size) finds, following `continue`
/// tokens.
pub async fn list_all_with(
    api: &Api<DynamicObject>,
    params: ListParams,
) -> Result<Vec<Value>, KubeError> {
    Ok(list_all_versioned(api, params).await?.0)
}

/// [`list_all_with`], and the list's resourceVersion (the first page's: a paginated list is
/// one consistent read at that version), which a watch of the changes after it starts from.
pub async fn list_all_versioned(
    api: &Api<DynamicObject>,
    params: ListParams,
) -> Result<(Vec<Value>, String), KubeError> {
    let mut out = Vec::new();
    let client = api.clone().into_client();
    let version = walk_pages(
        &client,
        api.resource_url(),
        params,
        |items: Vec<DynamicObject>| {
            for item in items {
                out.push(to_value(item)?);
            }
            Ok::<_, KubeError>(())
        },
    )
    .await?;
    Ok((out, version))
}

/// One page of a list answer as read: its items still JSON text, borrowed from the body.
#[derive(serde::Deserialize)]
struct RawPage<'a> {
    #[serde(default)]
    metadata: PageMeta,
    /// Absent or null: no items.
    #[serde(borrow, default)]
    items: Option<Vec<&'a RawValue>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PageMeta {
    #[serde(rename = "continue", default)]
    continue_: Option<String>,
    #[serde(default)]
    resource_version: Option<String>,
    /// How many objects the pages after this one hold (the server sends it when the list
    /// has no selector). Read as any JSON: a hint that is not a count is no hint, not a
    /// failed list.
    #[serde(default)]
    remaining_item_count: Option<Value>,
}

/// The one page loop: lists the collection at `url` with `params` (selectors, `limit`),
/// following `continue` tokens, and hands each page's items to `each` as JSON text borrowed
/// from the response body, which is dropped before the next page is asked for: one page is
/// held at a time, once (no parsed copy of it), with the number of objects still to come
/// when the server says (`remainingItemCount`), so a caller can size its rows once.
/// Returns the list's resourceVersion (the first page's: a paginated list is one
/// consistent read at that version).
pub async fn walk_raw_pages<E>(
    client: &Client,
    url: &str,
    mut params: ListParams,
    mut each: impl FnMut(Vec<&RawValue>, Option<u64>) -> Result<(), E>,
) -> Result<String, E>
where
    E: From<KubeError>,
{
    let mut version: Option<String> = None;
    let mut token: Option<String> = None;
    for _ in 0..MAX_LIST_PAGES {
        let req = kube::core::Request::new(url)
            .list(&params)
            .map_err(KubeError::BuildRequest)?;
        let body = read_body(client, req).await?;
        let page: RawPage<'_> = serde_json::from_slice(&body).map_err(KubeError::SerdeError)?;
        if version.is_none() {
            version = page.metadata.resource_version;
        }
        let remaining = page.metadata.remaining_item_count.as_ref();
        each(
            page.items.unwrap_or_default(),
            remaining.and_then(Value::as_u64),
        )?;
        match next_token(token.as_deref(), page.metadata.continue_)? {
            Some(c) => {
                params = params.continue_token(&c);
                token = Some(c);
            }
            None => return Ok(version.unwrap_or_default()),
        }
    }
    Err(server_fault(format!(
        "the list at {url} did not end after {MAX_LIST_PAGES} pages"
    ))
    .into())
}

/// The most pages one list is followed for: a million pages of one object still end.
const MAX_LIST_PAGES: usize = 1_000_000;

/// The `continue` token to follow after a page (None: the list is complete). The token the
/// previous page gave would ask for the same page again, forever: the server's fault.
fn next_token(previous: Option<&str>, got: Option<String>) -> Result<Option<String>, KubeError> {
    match got.filter(|c| !c.is_empty()) {
        Some(c) if previous == Some(c.as_str()) => Err(server_fault(
            "the server answered a page with the continue token that asked for it, so the list would never end".to_owned(),
        )),
        next => Ok(next),
    }
}

/// A list the server made impossible to finish, reported as the server's error (500).
fn server_fault(message: String) -> KubeError {
    KubeError::Api(Box::new(
        kube::core::Status::failure(&message, "InternalError").with_code(500),
    ))
}

/// [`walk_raw_pages`] with each page's items converted to `T` as the page is handed over.
pub async fn walk_pages<T, E>(
    client: &Client,
    url: &str,
    params: ListParams,
    mut each: impl FnMut(Vec<T>) -> Result<(), E>,
) -> Result<String, E>
where
    T: serde::de::DeserializeOwned,
    E: From<KubeError>,
{
    walk_raw_pages(client, url, params, |raw, _| {
        let items = raw
            .into_iter()
            .map(|item| serde_json::from_str(item.get()).map_err(KubeError::SerdeError))
            .collect::<Result<Vec<T>, KubeError>>()?;
        each(items)
    })
    .await
}

/// The body of the answer to `req` (API errors as kube reports them), read into one buffer
/// without the copies `Client::request_text` makes (bytes, then a vector, then a string).
async fn read_body(client: &Client, req: http::Request<Vec<u8>>) -> Result<Vec<u8>, KubeError> {
    use futures::AsyncReadExt as _;
    let reader = client.request_stream(req).await?;
    let mut reader = std::pin::pin!(reader);
    let mut body = Vec::new();
    match reader.read_to_end(&mut body).await {
        Ok(_) => Ok(body),
        Err(e) => Err(body_error(e)),
    }
}

/// A body's read error as the kube error it carries (kube wraps them in io::Error for the
/// reader), so the error reports see the same chain as for any other request.
fn body_error(e: std::io::Error) -> KubeError {
    if !e.get_ref().is_some_and(|inner| inner.is::<KubeError>()) {
        return KubeError::ReadEvents(e);
    }
    match e.into_inner().map(|inner| inner.downcast::<KubeError>()) {
        Some(Ok(kube_error)) => *kube_error,
        _ => KubeError::ReadEvents(std::io::Error::other("failed to read the answer")),
    }
}

/// [`walk_pages`] over `api`'s collection: hands each page's items to `each` before the next
/// is read, so memory holds one page's text and whatever `each` keeps. Returns the list's
/// resourceVersion. The same requests as [`list_all_with`].
pub async fn for_each_page<T: serde::de::DeserializeOwned>(
    api: &Api<DynamicObject>,
    params: ListParams,
    mut each: impl FnMut(Vec<T>),
) -> Result<String, KubeError> {
    let client = api.clone().into_client();
    walk_pages(&client, api.resource_url(), params, |items| {
        each(items);
        Ok::<(), KubeError>(())
    })
    .await
}

/// Every object a list with `params` finds, each deserialized as `T` as its page arrives.
pub async fn list_all_as<T: serde::de::DeserializeOwned>(
    api: &Api<DynamicObject>,
    params: ListParams,
) -> Result<Vec<T>, KubeError> {
    let mut out = Vec::new();
    for_each_page(api, params, |items| out.extend(items)).await?;
    Ok(out)
}

/// The field manager recorded on every object this plugin writes.
pub const FIELD_MANAGER: &str = "kubectl-vmsnap";

/// Page size of list calls, as kubectl's default `--chunk-size`; `continue` tokens fetch
/// the rest.
pub const LIST_PAGE_SIZE: u32 = 500;

/// Page size of `list`'s snapshot lists when the user gave no `--chunk-size` (which is
/// always obeyed). Ten times kubectl's 500: at 20 ms RTT the sequential page chain was the
/// list's critical path (20 pages at 10,000 snapshots), and one page of this size is a few
/// MB of JSON, read as text and converted object by object (docs/performance.md).
pub const SNAPSHOT_LIST_PAGE_SIZE: u32 = 5000;

/// `VirtualMachineSnapshots`, `VolumeSnapshotClasses`: a kind's plural for messages.
pub fn kind_plural(kind: &str) -> String {
    if kind.ends_with('s') {
        format!("{kind}es")
    } else {
        format!("{kind}s")
    }
}

/// `ns/name`, or `name` for a cluster-scoped object.
fn shown(ns: Option<&str>, name: &str) -> String {
    match ns {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_owned(),
    }
}

/// `in namespace ns`, or `across all namespaces`.
pub fn where_(ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("in namespace {ns}"),
        None => "across all namespaces".to_owned(),
    }
}

/// GET `name` of `ar` in `ns` (None: cluster-scoped); None on 404; refused when the answer is
/// another object ([`get_exact`]).
pub async fn get(
    client: &Client,
    ar: &ApiResource,
    ns: Option<&str>,
    name: &str,
) -> anyhow::Result<Option<Value>> {
    get_exact(client, ar, ns, name)
        .await
        .with_context(|| format!("failed to get {} {}", ar.kind, shown(ns, name)))
}

/// Every object of `ar` in `ns` (None: all namespaces or cluster-scoped), with a label
/// `selector` when given, read in pages of `page`.
pub async fn list(
    client: &Client,
    ar: &ApiResource,
    ns: Option<&str>,
    selector: Option<&str>,
    page: u32,
) -> anyhow::Result<Vec<Value>> {
    list_all(&dynamic_api(client, ar, ns), selector, page)
        .await
        .with_context(|| format!("failed to list {} {}", kind_plural(&ar.kind), where_(ns)))
}

/// Every object of `ar` in `ns` (None: all namespaces or cluster-scoped) with a label
/// `selector`, read as `T` page by page of [`LIST_PAGE_SIZE`] and handed to `each` before the
/// next page is read. The same requests as [`list`].
async fn list_pages_of<T: serde::de::DeserializeOwned>(
    client: &Client,
    ar: &ApiResource,
    ns: Option<&str>,
    selector: Option<&str>,
    each: impl FnMut(Vec<T>),
) -> anyhow::Result<()> {
    let params = list_params(selector, None, LIST_PAGE_SIZE);
    for_each_page::<T>(&dynamic_api(client, ar, ns), params, each)
        .await
        .with_context(|| format!("failed to list {} {}", kind_plural(&ar.kind), where_(ns)))?;
    Ok(())
}

/// Every object of `ar` in `ns` with a label `selector`, as `row` makes it (None leaves it
/// out), converted as each page arrives: memory holds one page of JSON values and the rows,
/// not the whole list.
pub async fn list_rows<R>(
    client: &Client,
    ar: &ApiResource,
    ns: Option<&str>,
    selector: Option<&str>,
    mut row: impl FnMut(&Value) -> Option<R>,
) -> anyhow::Result<Vec<R>> {
    let mut rows = Vec::new();
    list_pages_of::<Value>(client, ar, ns, selector, |page| {
        rows.extend(page.iter().filter_map(&mut row));
    })
    .await?;
    Ok(rows)
}

/// An object read for its name alone: serde skips the rest of it as the page is parsed.
/// Without metadata or a name it is nameless, and names nothing.
#[derive(serde::Deserialize)]
struct Named {
    #[serde(default)]
    metadata: NamedMeta,
}

#[derive(serde::Deserialize, Default)]
struct NamedMeta {
    #[serde(default)]
    name: String,
}

/// The names of the objects of `ar` in `ns` with a label `selector`, page by page: nothing
/// else of an object is kept, so 2,000 VMs cost their names.
pub async fn list_names(
    client: &Client,
    ar: &ApiResource,
    ns: Option<&str>,
    selector: Option<&str>,
) -> anyhow::Result<std::collections::BTreeSet<String>> {
    let mut names = std::collections::BTreeSet::new();
    list_pages_of::<Named>(client, ar, ns, selector, |page| {
        // A nameless object (a broken answer) selects nothing: as "" it would stand for
        // every object that names no VM, and `prune -l` would delete those.
        names.extend(
            page.into_iter()
                .map(|o| o.metadata.name)
                .filter(|n| !n.is_empty()),
        );
    })
    .await?;
    Ok(names)
}

/// POSTs `obj` as an object of `ar` (its namespace from its metadata; apiVersion and kind
/// set from `ar`). `dry_run` asks the server to validate without persisting (`dryRun=All`).
pub async fn create(
    client: &Client,
    ar: &ApiResource,
    mut obj: Value,
    dry_run: bool,
) -> anyhow::Result<Value> {
    use crate::cluster::json::{name, namespace, str_at};
    if let Some(m) = obj.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(ar.api_version.clone()));
        m.insert("kind".into(), Value::String(ar.kind.clone()));
    }
    let ns = namespace(&obj).to_owned();
    // A generated name is not known yet: name the prefix.
    let named = match str_at(&obj, "/metadata/generateName") {
        Some(prefix) if name(&obj).is_empty() => format!("{prefix}*"),
        _ => name(&obj).to_owned(),
    };
    let what = format!("{} {}", ar.kind, shown(Some(&ns), &named));
    let created = async {
        let dynamic: DynamicObject = serde_json::from_value(obj).map_err(KubeError::SerdeError)?;
        let pp = PostParams {
            dry_run,
            field_manager: Some(FIELD_MANAGER.to_owned()),
        };
        to_value(
            dynamic_api(client, ar, Some(&ns))
                .create(&pp, &dynamic)
                .await?,
        )
    }
    .await;
    created.with_context(|| format!("failed to create {what}"))
}

/// A JSON merge patch of `name`.
pub async fn patch_merge(
    client: &Client,
    ar: &ApiResource,
    ns: Option<&str>,
    name: &str,
    patch: &Value,
    dry_run: bool,
) -> anyhow::Result<Value> {
    let mut pp = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        ..PatchParams::default()
    };
    if dry_run {
        pp = pp.dry_run();
    }
    dynamic_api(client, ar, ns)
        .patch(&path_segment(name), &pp, &Patch::Merge(patch))
        .await
        .and_then(to_value)
        .with_context(|| format!("failed to patch {} {}", ar.kind, shown(ns, name)))
}

/// DELETEs `name` ([`delete_exact`]: only the object with `uid` when given); Ok(false) when it
/// was already gone.
pub async fn delete(
    client: &Client,
    ar: &ApiResource,
    ns: Option<&str>,
    name: &str,
    uid: Option<&str>,
    dry_run: bool,
) -> anyhow::Result<bool> {
    delete_exact(&dynamic_api(client, ar, ns), name, uid, dry_run)
        .await
        .with_context(|| format!("failed to delete {} {}", ar.kind, shown(ns, name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_name_is_its_own_segment_and_anything_else_cannot_leave_it() {
        assert_eq!(path_segment("web-01.prod"), "web-01.prod");
        assert_eq!(path_segment("a-1#zzz"), "a-1%23zzz");
        assert_eq!(path_segment("a-2?dryRun=All"), "a-2%3FdryRun%3DAll");
        assert_eq!(path_segment("../x"), "..%2Fx");
        assert_eq!(path_segment(".."), "%2E%2E");
        assert_eq!(path_segment("é"), "%C3%A9");
    }

    #[test]
    fn an_answer_must_be_the_object_asked_for() {
        let ar = api_resource(
            "snapshot.kubevirt.io",
            "v1beta1",
            "VirtualMachineSnapshot",
            "virtualmachinesnapshots",
        );
        let snap = serde_json::json!({
            "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
            "metadata": {"name": "s1", "namespace": "prod"},
        });
        assert!(check_identity(&snap, &ar, Some("prod"), "s1").is_ok());
        assert!(check_identity(&snap, &ar, Some("prod"), "s2").is_err());
        assert!(check_identity(&snap, &ar, Some("other"), "s1").is_err());
        let vm = serde_json::json!({
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
            "metadata": {"name": "s1", "namespace": "prod"},
        });
        let e = check_identity(&vm, &ar, Some("prod"), "s1").unwrap_err();
        assert_eq!(
            e.message,
            "asked the API server for VirtualMachineSnapshot prod/s1 (snapshot.kubevirt.io/v1beta1) \
             and got VirtualMachine prod/s1 (kubevirt.io/v1) instead; refusing to act on it"
        );
    }

    #[test]
    fn a_delete_that_found_nothing_is_not_a_deletion() {
        assert!(require_deleted(true, "snapshot p/s").is_ok());
        let e = require_deleted(false, "snapshot p/s").unwrap_err();
        assert_eq!(e.exit_code(), crate::error::EXIT_NOT_FOUND);
    }

    #[test]
    fn list_pages_parse_with_or_without_continue_or_items() {
        let text = r#"{"metadata": {"continue": "t", "resourceVersion": "7", "remainingItemCount": 12},
            "items": [{"a": 1}]}"#;
        let p: RawPage<'_> = serde_json::from_str(text).unwrap();
        assert_eq!(p.metadata.continue_.as_deref(), Some("t"));
        assert_eq!(p.metadata.resource_version.as_deref(), Some("7"));
        assert_eq!(p.metadata.remaining_item_count, Some(serde_json::json!(12)));
        // A count that is not one is ignored, not a failed page.
        for odd in ["-1", r#""12""#, "1.5", "null"] {
            let text = format!(r#"{{"metadata": {{"remainingItemCount": {odd}}}, "items": []}}"#);
            let p: RawPage<'_> = serde_json::from_str(&text).unwrap();
            assert_eq!(
                p.metadata.remaining_item_count.and_then(|v| v.as_u64()),
                None
            );
        }
        let items = p.items.unwrap_or_default();
        assert_eq!(
            items.iter().map(|i| i.get()).collect::<Vec<_>>(),
            [r#"{"a": 1}"#]
        );
        for empty in [r#"{"kind": "List"}"#, r#"{"items": null}"#] {
            let p: RawPage<'_> = serde_json::from_str(empty).unwrap();
            assert!(p.items.unwrap_or_default().is_empty() && p.metadata.continue_.is_none());
        }
    }

    #[test]
    fn a_continue_token_given_again_ends_the_list_with_the_servers_error() {
        assert_eq!(
            next_token(None, Some("a".into())).unwrap().as_deref(),
            Some("a")
        );
        assert_eq!(
            next_token(Some("a"), Some("b".into())).unwrap().as_deref(),
            Some("b")
        );
        assert_eq!(next_token(Some("a"), Some(String::new())).unwrap(), None);
        assert_eq!(next_token(Some("a"), None).unwrap(), None);
        let again = next_token(Some("a"), Some("a".into())).unwrap_err();
        assert!(
            matches!(again, KubeError::Api(s) if s.code == 500 && s.message.contains("never end"))
        );
    }

    #[test]
    fn a_body_read_error_keeps_the_kube_error_it_carries() {
        let status = kube::core::Status::failure("gone", "Expired").with_code(410);
        let carried = std::io::Error::other(KubeError::Api(Box::new(status)));
        assert!(matches!(body_error(carried), KubeError::Api(s) if s.code == 410));
        let plain = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "cut");
        assert!(matches!(body_error(plain), KubeError::ReadEvents(_)));
    }
}
