//! Object operations every provider shares, on kube's `DynamicObject` API.

use kube::Error as KubeError;
use kube::api::{Api, DeleteParams, DynamicObject, Preconditions};
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
