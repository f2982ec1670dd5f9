//! Kubernetes' PersistentVolume controller with a CSI external provisioner, for claims users
//! create (`pkg/controller/volume/persistentvolume/pv_controller.go`): a claim on a StorageClass
//! with `volumeBindingMode: Immediate` gets a provisioned PV and turns Bound; with
//! `WaitForFirstConsumer` it stays Pending until a consumer is scheduled. The simulator has
//! no pods: the consumer is a VMI using the claim (it stands for its virt-launcher pod), and
//! its scheduling is the `volume.kubernetes.io/selected-node` annotation the scheduler sets.

use serde_json::{Value, json};

use super::{Ctx, ensure_obj, gvr, is_deleting, str_at, uid_of};
use crate::store::Gvr;

const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
/// The node every simulated VMI runs on, unless its status names one.
const SIM_NODE: &str = "sim-node-1";

fn pv() -> Gvr {
    Gvr::new("", "v1", "persistentvolumes")
}

fn set_pending(ctx: &Ctx, ns: &str, name: &str) {
    let _ = ctx.store.mutate(&gvr::pvc(), Some(ns), name, |pvc| {
        ensure_obj(pvc, "status").insert("phase".into(), json!("Pending"));
    });
}

/// `storageclass.kubernetes.io/is-default-class: "true"`.
fn default_class(ctx: &Ctx) -> Option<String> {
    ctx.store
        .list(&gvr::storage_class(), None)
        .into_iter()
        .find(|sc| {
            str_at(
                sc,
                "/metadata/annotations/storageclass.kubernetes.io~1is-default-class",
            ) == Some("true")
        })
        .and_then(|sc| str_at(&sc, "/metadata/name").map(str::to_string))
}

/// Syncs one claim: provisions and binds it, or leaves it Pending.
pub(crate) fn reconcile_claim(ctx: &Ctx, ns: &str, name: &str) {
    let Some(claim) = ctx.store.get(&gvr::pvc(), Some(ns), name) else {
        return;
    };
    if is_deleting(&claim) || str_at(&claim, "/status/phase").is_some_and(|p| p != "Pending") {
        return;
    }
    if let Some(volume) = str_at(&claim, "/spec/volumeName").filter(|v| !v.is_empty()) {
        // Bound by name (statically): the PV must exist and be free or reserved for it.
        let free = ctx.store.get(&pv(), None, volume).is_some_and(|v| {
            str_at(&v, "/spec/claimRef/name").is_none_or(|c| c == name)
                && str_at(&v, "/spec/claimRef/namespace").is_none_or(|n| n == ns)
        });
        if free {
            let volume = volume.to_string();
            bind(ctx, &claim, &volume);
        } else {
            set_pending(ctx, ns, name);
        }
        return;
    }
    // A claim without a class gets the default one (the DefaultStorageClass admission, and the
    // retroactive assignment of Kubernetes 1.28+); "" asks for a static PV only.
    let class = match claim.pointer("/spec/storageClassName") {
        Some(Value::String(c)) => Some(c.clone()),
        None | Some(Value::Null) => default_class(ctx),
        Some(_) => None,
    };
    let Some(class) = class.filter(|c| !c.is_empty()) else {
        set_pending(ctx, ns, name);
        return;
    };
    let Some(sc) = ctx.store.get(&gvr::storage_class(), None, &class) else {
        set_pending(ctx, ns, name);
        return;
    };
    let delayed = str_at(&sc, "/volumeBindingMode") == Some("WaitForFirstConsumer");
    let selected = str_at(
        &claim,
        &format!("/metadata/annotations/{}", escape(SELECTED_NODE)),
    )
    .map(str::to_string)
    .or_else(|| delayed.then(|| consumer_node(ctx, ns, name)).flatten());
    if delayed && selected.is_none() {
        set_pending(ctx, ns, name);
        return;
    }
    let provisioner = str_at(&sc, "/provisioner").unwrap_or("").to_string();
    let pv_name = format!("pvc-{}", uid_of(&claim));
    let size = str_at(&claim, "/spec/resources/requests/storage").unwrap_or("1Gi");
    let volume = json!({
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": pv_name, "annotations": {"pv.kubernetes.io/provisioned-by": provisioner}},
        "spec": {
            "capacity": {"storage": size},
            "accessModes": claim.pointer("/spec/accessModes").cloned().unwrap_or(json!(["ReadWriteOnce"])),
            "persistentVolumeReclaimPolicy": str_at(&sc, "/reclaimPolicy").unwrap_or("Delete"),
            "storageClassName": class,
            "volumeMode": str_at(&claim, "/spec/volumeMode").unwrap_or("Filesystem"),
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": ns,
                "name": name, "uid": uid_of(&claim)},
            "csi": {"driver": provisioner, "volumeHandle": pv_name},
        },
        "status": {"phase": "Bound"},
    });
    if ctx.store.get(&pv(), None, &pv_name).is_none() && ctx.store.create(&pv(), volume).is_err() {
        return;
    }
    let _ = ctx.store.mutate(&gvr::pvc(), Some(ns), name, |pvc| {
        let spec = ensure_obj(pvc, "spec");
        spec.insert("storageClassName".into(), json!(class));
        let annotations = ensure_obj(pvc, "metadata")
            .entry("annotations")
            .or_insert_with(|| json!({}));
        annotations["volume.kubernetes.io/storage-provisioner"] = json!(provisioner);
        annotations["volume.beta.kubernetes.io/storage-provisioner"] = json!(provisioner);
        if let Some(node) = &selected {
            annotations[SELECTED_NODE] = json!(node);
        }
    });
    if let Some(claim) = ctx.store.get(&gvr::pvc(), Some(ns), name) {
        bind(ctx, &claim, &pv_name);
    }
}

/// `bind`: the claim names its volume and takes its capacity and access modes.
fn bind(ctx: &Ctx, claim: &Value, volume_name: &str) {
    let Some(volume) = ctx.store.get(&pv(), None, volume_name) else {
        return;
    };
    let (ns, name, uid) = (super::ns_of(claim), super::name_of(claim), uid_of(claim));
    let _ = ctx.store.mutate(&pv(), None, volume_name, |v| {
        v["spec"]["claimRef"] = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "namespace": ns, "name": name, "uid": uid});
        ensure_obj(v, "status").insert("phase".into(), json!("Bound"));
    });
    let _ = ctx.store.mutate(&gvr::pvc(), Some(ns), name, |pvc| {
        ensure_obj(pvc, "spec").insert("volumeName".into(), json!(volume_name));
        let annotations = ensure_obj(pvc, "metadata")
            .entry("annotations")
            .or_insert_with(|| json!({}));
        annotations["pv.kubernetes.io/bind-completed"] = json!("yes");
        annotations["pv.kubernetes.io/bound-by-controller"] = json!("yes");
        let status = ensure_obj(pvc, "status");
        status.insert("phase".into(), json!("Bound"));
        status.insert(
            "accessModes".into(),
            volume
                .pointer("/spec/accessModes")
                .cloned()
                .unwrap_or(Value::Null),
        );
        status.insert(
            "capacity".into(),
            volume
                .pointer("/spec/capacity")
                .cloned()
                .unwrap_or(Value::Null),
        );
    });
}

/// The node of a VMI that uses the claim (directly or through a DataVolume of its name).
fn consumer_node(ctx: &Ctx, ns: &str, claim: &str) -> Option<String> {
    ctx.store
        .list(&gvr::vmi(), Some(ns))
        .into_iter()
        .find(|vmi| claims_of_vmi(vmi).contains(&claim))
        .map(|vmi| {
            str_at(&vmi, "/status/nodeName")
                .unwrap_or(SIM_NODE)
                .to_string()
        })
}

/// The claims a VMI's volumes name.
pub(crate) fn claims_of_vmi(vmi: &Value) -> Vec<&str> {
    vmi.pointer("/spec/volumes")
        .and_then(Value::as_array)
        .map(|vols| {
            vols.iter()
                .filter_map(|v| {
                    str_at(v, "/persistentVolumeClaim/claimName")
                        .or_else(|| str_at(v, "/dataVolume/name"))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
