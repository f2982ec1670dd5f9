//! `subresources.kubevirt.io/v1` actions: VM start/stop/restart (flip `spec.runStrategy` or
//! `spec.running` through the VM webhook, as virt-api does) and VMI freeze/unfreeze (recorded
//! in `status.fsFreezeStatus`).

use hyper::Response;
use serde_json::{Value, json};

use super::{Body, Ctx, full};
use crate::controllers::vm_admission;
use crate::error::ApiError;
use crate::registry::ActionDef;
use crate::store::Gvr;

pub fn run(
    ctx: &mut Ctx,
    action: &ActionDef,
    ns: Option<&str>,
    name: &str,
) -> Result<Response<Body>, ApiError> {
    let store = ctx.shared.store.clone();
    let gvr = Gvr::new(&action.target.0, "v1", &action.target.1);
    let dry = ctx.dry_run
        || matches!(&ctx.body_json, Some(Ok(b)) if b.get("dryRun").and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v == "All")));
    match (action.plural.as_str(), action.subresource.as_str()) {
        ("virtualmachines", verb @ ("start" | "stop")) => {
            let start = verb == "start";
            let vmi = Gvr::new("kubevirt.io", "v1", "virtualmachineinstances");
            let vmi_exists = store.get(&vmi, ns, name).is_some();
            store.try_mutate_opt(&gvr, ns, name, dry, |vm| {
                vm_admission::request_run_state(vm, name, start, vmi_exists)
            })?;
            Ok(full(202, "application/json", ""))
        }
        ("virtualmachines", "restart") => {
            store
                .get(&gvr, ns, name)
                .ok_or_else(|| ApiError::not_found(&gvr, name))?;
            let vmi = Gvr::new("kubevirt.io", "v1", "virtualmachineinstances");
            if store.get(&vmi, ns, name).is_none() {
                return Err(vm_admission::conflict(name, "VM is not running"));
            }
            if !dry {
                store.delete(&vmi, ns, name)?;
            }
            Ok(full(202, "application/json", ""))
        }
        ("virtualmachineinstances", verb @ ("freeze" | "unfreeze")) => {
            let freeze = verb == "freeze";
            store.try_mutate_opt(&gvr, ns, name, dry, |vmi| {
                if freeze {
                    vmi["status"]["fsFreezeStatus"] = json!("frozen");
                } else if let Some(s) = vmi.get_mut("status").and_then(Value::as_object_mut) {
                    s.remove("fsFreezeStatus");
                }
                Ok(())
            })?;
            Ok(full(200, "application/json", ""))
        }
        _ => Err(ApiError::page_not_found()),
    }
}
