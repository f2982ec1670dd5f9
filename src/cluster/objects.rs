//! Object operations every provider shares, on kube's `DynamicObject` API.

use kube::Error as KubeError;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Preconditions};
use serde_json::Value;

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
    match api.delete(name, &dp).await {
        Ok(_) => Ok(true),
        Err(KubeError::Api(s)) if s.code == 404 => Ok(false),
        Err(e) => Err(e),
    }
}

/// Every object the list finds (with a label `selector` when given), read in pages of `page`
/// with `continue` tokens, each converted to JSON as its page arrives.
pub async fn list_all(
    api: &Api<DynamicObject>,
    selector: Option<&str>,
    page: u32,
) -> Result<Vec<Value>, KubeError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut lp = ListParams::default().limit(page);
        if let Some(s) = selector {
            lp = lp.labels(s);
        }
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        let page = api.list(&lp).await?;
        for item in page.items {
            out.push(to_value(item)?);
        }
        match page.metadata.continue_ {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(out),
        }
    }
}
