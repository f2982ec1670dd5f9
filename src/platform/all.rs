//! `list -A` on a cluster serving several platforms: every platform's snapshots in one table
//! with a PLATFORM column, instead of asking for `--provider` (one list per platform, read
//! together). Only `-l` narrows it; the other list flags need one platform.

use jiff::Timestamp;
use kube::core::ApiResource;
use serde::Serialize;
use serde_json::Value;

use super::{Detected, Provider, deckhouse, kubevirt, vmoperator};
use crate::cli::{Command, ListArgs};
use crate::cluster::{LIST_PAGE_SIZE, objects};
use crate::model::SnapshotInfo;
use crate::model::age::age;
use crate::output::{RenderOptions, Table, View, api_list, api_object};

/// Whether `command` is a `list -A` this module answers: no VM, no flag that needs one platform.
pub fn applies(command: &Command) -> bool {
    let Command::List(a) = command else {
        return false;
    };
    let ListArgs {
        vm,
        all_namespaces,
        disks,
        sort_by,
        show_labels,
        label_columns,
        watch,
        watch_only,
        field_selector,
        chunk_size,
        ..
    } = a;
    *all_namespaces
        && vm.is_none()
        && !disks
        && sort_by.is_none()
        && !show_labels
        && label_columns.is_empty()
        && !watch
        && !watch_only
        && field_selector.is_none()
        && chunk_size.is_none()
}

/// One snapshot of one platform.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    platform: &'static str,
    #[serde(flatten)]
    snapshot: SnapshotInfo,
}

/// Every platform's snapshots: the table for people, the API objects for `-o json|yaml`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllPlatformsList {
    /// Always "SnapshotList".
    kind: &'static str,
    items: Vec<Row>,
    #[serde(skip)]
    objects: Vec<Value>,
    #[serde(skip)]
    resources: Vec<String>,
}

/// Lists the snapshots of every platform in `candidates`, oldest first (as `list` does).
pub async fn list(
    client: &kube::Client,
    candidates: &[Detected],
    selector: Option<&str>,
) -> anyhow::Result<AllPlatformsList> {
    let reads = candidates.iter().map(|d| async move {
        let provider = Provider::new(client.clone(), d);
        let title = d.kind.capability().short;
        let ar = snapshot_resource(&provider);
        let items = objects::list(client, &ar, None, selector, LIST_PAGE_SIZE).await?;
        let rows: Vec<(Row, Value, String)> = items
            .into_iter()
            .map(|obj| {
                let snapshot = match &provider {
                    Provider::KubeVirt(_) => kubevirt::api::snapshot_info(&obj, None, &[]),
                    Provider::VmOperator(_) => vmoperator::api::snapshot_info(&obj),
                    Provider::Deckhouse(_) => deckhouse::api::snapshot_info(&obj, &[], &[]),
                };
                let resource = format!("{}.{}/{}", ar.kind.to_lowercase(), ar.group, snapshot.name);
                let obj = api_object(obj, &ar.api_version, &ar.kind);
                (
                    Row {
                        platform: title,
                        snapshot,
                    },
                    obj,
                    resource,
                )
            })
            .collect();
        anyhow::Ok(rows)
    });
    let mut all: Vec<(Row, Value, String)> = Vec::new();
    for found in futures::future::join_all(reads).await {
        all.extend(found?);
    }
    all.sort_by(|(a, _, _), (b, _, _)| {
        let key = |r: &Row| {
            (
                r.snapshot.created,
                r.snapshot.namespace.clone(),
                r.snapshot.name.clone(),
                r.platform,
            )
        };
        key(a).cmp(&key(b))
    });
    let mut out = AllPlatformsList {
        kind: "SnapshotList",
        items: Vec::with_capacity(all.len()),
        objects: Vec::with_capacity(all.len()),
        resources: Vec::with_capacity(all.len()),
    };
    for (row, obj, resource) in all {
        out.items.push(row);
        out.objects.push(obj);
        out.resources.push(resource);
    }
    Ok(out)
}

/// The platform's VirtualMachineSnapshot resource at the version discovery chose.
fn snapshot_resource(p: &Provider) -> ApiResource {
    match p {
        Provider::KubeVirt(k) => {
            kubevirt::api::Kind::VirtualMachineSnapshot.api_resource(&k.versions())
        }
        Provider::VmOperator(v) => {
            vmoperator::api::Kind::VirtualMachineSnapshot.api_resource(v.version())
        }
        Provider::Deckhouse(_) => deckhouse::api::Kind::VirtualMachineSnapshot.api_resource(),
    }
}

impl AllPlatformsList {
    /// Nothing found (the caller says so on stderr, as `list` does).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl View for AllPlatformsList {
    fn human(&self, now: Timestamp, wide: bool, opts: RenderOptions) -> String {
        if self.items.is_empty() {
            return String::new();
        }
        let mut headers = vec![
            "platform",
            "namespace",
            "name",
            "vm",
            "phase",
            "ready",
            "age",
        ];
        if wide {
            headers.push("consistency");
        }
        let mut t = Table::new(&headers);
        for r in &self.items {
            let s = &r.snapshot;
            let mut cells = vec![
                r.platform.to_owned(),
                s.namespace.clone(),
                s.name.clone(),
                s.vm.clone(),
                s.phase.to_string(),
                s.is_ready().to_string(),
                age(s.created, now),
            ];
            if wide {
                cells.push(s.consistency.to_string());
            }
            t.row(cells);
        }
        t.render(!opts.no_headers)
    }

    fn names(&self) -> Vec<String> {
        self.resources.clone()
    }

    fn api_objects(&self) -> Option<Value> {
        Some(api_list(self.objects.clone()))
    }
}
