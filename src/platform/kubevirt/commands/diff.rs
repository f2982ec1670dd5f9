//! `diff SNAPSHOT`: what restoring the snapshot would change in its VM's configuration.

use super::common;
use crate::cli::DiffArgs;
use crate::error::UserError;
use crate::flow::Ctx;
use crate::platform::kubevirt::analysis::config_diff::{DiffOptions, config_diff};
use crate::platform::kubevirt::api as kv;
use crate::platform::kubevirt::report::DiffReport;
use crate::platform::kubevirt::report::Report;

/// Reads the snapshot, its content and the live VM, and compares them. Reads only.
pub async fn run(args: &DiffArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = ctx.namespace.clone();
    let snap = common::get_snapshot(&kv, &ns, &args.snapshot).await?;
    let info = kv::snapshot_info(&snap, None, &[]);
    let Some(content_name) = info.content_name.clone() else {
        return Err(UserError::failure(format!(
            "snapshot {} has no content yet (phase {}), so there is no stored VM to compare",
            info.name, info.phase
        ))
        .hint(format!(
            "wait for it: kubectl vmsnap wait {} -n {ns}",
            info.name
        ))
        .into());
    };
    let (content, vm) =
        futures::join!(kv.get_content(&ns, &content_name), kv.get_vm(&ns, &info.vm));
    let content = content?.ok_or_else(|| {
        UserError::not_found(format!(
            "the content {content_name} of snapshot {} was not found in namespace {ns}",
            info.name
        ))
    })?;
    let vm = vm?.ok_or_else(|| {
        UserError::not_found(format!(
            "VM {ns}/{} that snapshot {} was taken of no longer exists, so there is nothing to compare with",
            info.vm, info.name
        ))
        .hint(format!(
            "create a VM from the snapshot instead: kubectl vmsnap clone {} --to NEW_VM -n {ns}",
            info.name
        ))
    })?;
    let opts = DiffOptions {
        include_metadata: args.all,
        taken_online: info.indications.iter().any(|i| i.name == "Online"),
        ..DiffOptions::default()
    };
    Ok(Report::Diff(Box::new(DiffReport {
        kind: "ConfigDiff",
        namespace: ns,
        snapshot: info.name,
        vm: info.vm,
        include_metadata: args.all,
        diff: config_diff(&content, &vm, &opts),
    })))
}
