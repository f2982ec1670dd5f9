//! The storage analysis's reads for many VMs at once (`check`, `create -l`): each kind read
//! once per scope in paginated LISTs fired together, then joined in memory per VM, so the
//! number of requests does not grow with the number of VMs.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use serde_json::Value;

use super::client::{ClusterStorage, KubeVirt};
use super::convert::{BACKEND_STORAGE_LABEL, needs_backend_storage, referenced_claims};
use super::resources::Kind;
use crate::cluster::json::{name, namespace, str_at};
use crate::platform::kubevirt::analysis::StorageInputs;

/// Page size of the fleet's LISTs. Larger than a single list's pages: the fleet's reads run
/// side by side, so the longest page chain (PVCs, about two per VM) is the critical path;
/// 2,000 keeps it at two round trips for 2,000 VMs while one page stays a few MB.
pub const FLEET_PAGE_SIZE: u32 = 2_000;

type Key = (String, String);

/// The objects the storage analysis of a set of VMs reads, each kind listed once.
#[derive(Debug, Default)]
pub struct FleetStorage {
    vmis: HashMap<Key, Value>,
    pvcs: HashMap<Key, Value>,
    /// vTPM / EFI state PVCs by (namespace, the VM they are labelled for).
    backend: HashMap<Key, Vec<Value>>,
    data_volumes: HashMap<Key, Value>,
    cluster: ClusterStorage,
}

/// The VMs of a scope and what their analysis reads.
pub struct Fleet {
    pub vms: Vec<Value>,
    /// Why the storage could not be read (each VM's row says so), or the objects.
    pub storage: Result<FleetStorage, Arc<anyhow::Error>>,
}

/// Drops what no caller reads (managedFields alone is often half of an object) so holding a
/// fleet's worth of objects stays small.
fn compact(mut obj: Value) -> Value {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
        if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            ann.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
    }
    obj
}

fn key(obj: &Value) -> Key {
    (namespace(obj).to_owned(), name(obj).to_owned())
}

fn by_key(list: Vec<Value>) -> HashMap<Key, Value> {
    list.into_iter()
        .map(compact)
        .map(|o| (key(&o), o))
        .collect()
}

impl FleetStorage {
    /// Joins the lists: VMIs, PVCs and DataVolumes by namespace and name.
    fn new(
        vmis: Vec<Value>,
        pvcs: Vec<Value>,
        data_volumes: Vec<Value>,
        cluster: ClusterStorage,
    ) -> Self {
        let pvcs = by_key(pvcs);
        let mut backend: HashMap<Key, Vec<Value>> = HashMap::new();
        for p in pvcs.values() {
            if let Some(vm) = str_at(p, &format!("/metadata/labels/{BACKEND_STORAGE_LABEL}")) {
                backend
                    .entry((namespace(p).to_owned(), vm.to_owned()))
                    .or_default()
                    .push(p.clone());
            }
        }
        FleetStorage {
            vmis: by_key(vmis),
            pvcs,
            backend,
            data_volumes: by_key(data_volumes),
            cluster,
        }
    }

    /// One VM's inputs, exactly what `KubeVirt::storage_inputs` would read for it.
    pub fn inputs(&self, vm: &Value) -> StorageInputs {
        let ns = namespace(vm).to_owned();
        let at = |n: &String| (ns.clone(), n.clone());
        let (claims, dvs) = referenced_claims(vm);
        let mut pvcs: Vec<Value> = claims
            .iter()
            .filter_map(|c| self.pvcs.get(&at(c)).cloned())
            .collect();
        if needs_backend_storage(vm) {
            let labelled = self.backend.get(&(ns.clone(), name(vm).to_owned()));
            pvcs.extend(labelled.into_iter().flatten().cloned());
        }
        let data_volumes = dvs
            .iter()
            .filter_map(|d| self.data_volumes.get(&at(d)).cloned())
            .collect();
        let vmi = self.vmis.get(&key(vm)).cloned();
        self.cluster.inputs(vm.clone(), vmi, pvcs, data_volumes)
    }
}

impl KubeVirt {
    /// The VMs matching `selector` in `ns` (None: all namespaces) and every object their
    /// storage analysis reads: VMs, VMIs, PVCs, DataVolumes in the scope and the four
    /// cluster-scoped storage lists, all listed at once. A failed VM list fails; a failed
    /// storage read is kept for the VMs' rows.
    pub async fn fleet(&self, ns: Option<&str>, selector: Option<&str>) -> Result<Fleet> {
        let page = FLEET_PAGE_SIZE;
        let (vms, vmis, pvcs, dvs, cluster) = futures::join!(
            self.list_sized(Kind::VirtualMachine, ns, selector, page, false),
            self.list_sized(Kind::VirtualMachineInstance, ns, None, page, false),
            self.list_sized(Kind::PersistentVolumeClaim, ns, None, page, false),
            // CDI may not be installed: its DataVolumes are then simply absent.
            self.list_sized(Kind::DataVolume, ns, None, page, true),
            self.cluster_storage(),
        );
        let vms = vms?.into_iter().map(compact).collect();
        let storage =
            (|| anyhow::Ok(FleetStorage::new(vmis?, pvcs?, dvs?, cluster?)))().map_err(Arc::new);
        Ok(Fleet { vms, storage })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pvc(ns: &str, name: &str, labels: Value) -> Value {
        json!({"metadata": {"namespace": ns, "name": name, "labels": labels,
            "managedFields": [{"manager": "x"}]}})
    }

    #[test]
    fn each_vm_gets_its_own_objects_from_the_shared_lists() {
        let vm = json!({"metadata": {"namespace": "a", "name": "db"},
        "spec": {"template": {"spec": {
            "domain": {"devices": {"tpm": {"persistent": true}}},
            "volumes": [
                {"name": "root", "dataVolume": {"name": "db-root"}},
                {"name": "data", "persistentVolumeClaim": {"claimName": "db-data"}},
            ]}}}});
        let storage = FleetStorage::new(
            vec![
                json!({"metadata": {"namespace": "a", "name": "db"}}),
                json!({"metadata": {"namespace": "b", "name": "db"}}),
            ],
            vec![
                pvc("a", "db-root", json!({})),
                pvc("a", "db-data", json!({})),
                pvc("b", "db-data", json!({})),
                pvc("a", "state", json!({BACKEND_STORAGE_LABEL: "db"})),
                pvc("a", "other-state", json!({BACKEND_STORAGE_LABEL: "web"})),
            ],
            vec![json!({"metadata": {"namespace": "a", "name": "db-root"}})],
            ClusterStorage::default(),
        );
        let inputs = storage.inputs(&vm);
        let names: Vec<(&str, &str)> = inputs
            .pvcs
            .iter()
            .map(|p| (namespace(p), name(p)))
            .collect();
        assert_eq!(names, [("a", "db-data"), ("a", "db-root"), ("a", "state")]);
        assert!(
            inputs
                .pvcs
                .iter()
                .all(|p| p["metadata"].get("managedFields").is_none())
        );
        assert_eq!(inputs.data_volumes.len(), 1);
        assert_eq!(inputs.vmi.as_ref().map(namespace), Some("a"));
    }
}
