//! `check [VM]`: the storage analysis of every VM as a readiness table with a summary.

use std::sync::Arc;

use futures::StreamExt;
use serde_json::Value;

use super::common;
use crate::cli::CheckArgs;
use crate::flow::Ctx;
use crate::platform::kubevirt::analysis::analyse;
use crate::platform::kubevirt::analysis::readiness::{
    ReadinessRow, readiness_row, report_from_rows, unreadable_row,
};
use crate::platform::kubevirt::api::{self as kv, FleetStorage, KubeVirt};
use crate::platform::kubevirt::report::CheckReport;
use crate::platform::kubevirt::report::Report;

/// VMs analysed at the same time when read one by one (a named VM).
const CONCURRENCY: usize = 4;

/// Lists the VMs (or reads the one named), analyses each, and builds the report. Reads only.
pub async fn run(args: &CheckArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    // One VM: its own objects by name. Many: each kind listed once, joined in memory, each
    // VM's objects parsed from their compact text only while its row is analysed.
    let (vms, fleet) = match &args.vm {
        Some(name) => {
            let ns = ctx.namespace.clone();
            (
                vec![common::require_vm(kv.get_vm(&ns, name).await?, &ns, name)?],
                None,
            )
        }
        None => {
            let fleet = kv.fleet(ns.as_deref(), args.selector.as_deref()).await?;
            (Vec::new(), Some(fleet))
        }
    };
    let count = fleet.as_ref().map_or(vms.len(), |f| f.vms.len());
    if count == 0 {
        let what = match &args.selector {
            Some(sel) => format!("No VirtualMachines matching {sel} found"),
            None => "No VirtualMachines found".to_string(),
        };
        match &ns {
            Some(ns) => ctx.say(&format!("{what} in {ns} namespace.")),
            None => ctx.say(&format!("{what}.")),
        }
    }
    let mut progress = ctx.progress(&format!("Analysing the storage of {count} VMs"));
    let mut rows: Vec<ReadinessRow> = match &fleet {
        Some(fleet) => fleet
            .vms
            .iter()
            .map(|vm| fleet_row(&fleet.storage, &vm.value()))
            .collect(),
        None => {
            futures::stream::iter(vms.iter().map(|vm| row(&kv, vm)))
                .buffered(CONCURRENCY)
                .collect()
                .await
        }
    };
    progress.finish();
    rows.sort_by(|a, b| (&a.namespace, &a.vm).cmp(&(&b.namespace, &b.vm)));
    let report = report_from_rows(rows);
    Ok(Report::Check(Box::new(CheckReport {
        kind: "ReadinessReport",
        namespace: ns,
        rows: report.rows,
        summary: report.summary,
    })))
}

/// One VM's row; a VM whose storage cannot be read is listed as unknown, not an error.
async fn row(kv: &KubeVirt, vm: &Value) -> ReadinessRow {
    let ns = crate::cluster::json::namespace(vm).to_owned();
    match kv.storage_inputs(&ns, vm).await {
        Ok(inputs) => readiness_row(&analyse(&inputs)),
        Err(e) => unreadable(vm, &e),
    }
}

/// One VM's row from the fleet's lists (no request).
fn fleet_row(storage: &Result<FleetStorage, Arc<anyhow::Error>>, vm: &Value) -> ReadinessRow {
    match storage {
        Ok(s) => readiness_row(&analyse(&s.inputs(vm))),
        Err(e) => unreadable(vm, e),
    }
}

fn unreadable(vm: &Value, e: &anyhow::Error) -> ReadinessRow {
    let info = kv::vm_info(vm, None);
    let why = match common::api_code(e) {
        Some(403) => format!("{e} (forbidden)"),
        _ => format!("{e:#}"),
    };
    unreadable_row(&info.namespace, &info.name, &info.printable_status, &why)
}
