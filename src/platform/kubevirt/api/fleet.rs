//! The storage analysis's reads for many VMs at once (`check`, `create -l`): each kind read
//! once per scope in paginated LISTs fired together, then joined in memory per VM, so the
//! number of requests does not grow with the number of VMs.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use serde::Deserialize;
use serde_json::Value;

use super::client::{ClusterStorage, KubeVirt};
use super::convert::{BACKEND_STORAGE_LABEL, needs_backend_storage, referenced_claims};
use super::resources::Kind;
use crate::cluster::compact::CompactObject;
use crate::cluster::json::{name, namespace, str_at};
use crate::platform::kubevirt::analysis::StorageInputs;

/// Page size of the fleet's LISTs. Larger than a single list's pages: the fleet's reads run
/// side by side, so the longest page chain (PVCs, about two per VM) is the critical path;
/// 2,000 keeps it at two round trips for 2,000 VMs while one page stays a few MB.
pub const FLEET_PAGE_SIZE: u32 = 2_000;

type Key = (String, String);

/// A PVC as the fleet keeps it, with the VM whose vTPM / EFI state it holds (its label).
#[derive(Deserialize)]
#[serde(from = "Value")]
struct Claim {
    object: CompactObject,
    backend_for: Option<String>,
}

impl From<Value> for Claim {
    fn from(pvc: Value) -> Self {
        let label = format!("/metadata/labels/{BACKEND_STORAGE_LABEL}");
        Claim {
            backend_for: str_at(&pvc, &label).map(str::to_owned),
            object: CompactObject::from(pvc),
        }
    }
}

/// The objects the storage analysis of a set of VMs reads, each kind listed once and held
/// as compact text ([`CompactObject`]) until a VM's row parses its own.
#[derive(Debug, Default)]
pub struct FleetStorage {
    vmis: HashMap<Key, CompactObject>,
    pvcs: HashMap<Key, CompactObject>,
    /// vTPM / EFI state PVCs (their keys) by (namespace, the VM they are labelled for).
    backend: HashMap<Key, Vec<Key>>,
    data_volumes: HashMap<Key, CompactObject>,
    cluster: ClusterStorage,
}

/// The VMs of a scope and what their analysis reads.
pub struct Fleet {
    pub vms: Vec<CompactObject>,
    /// Why the storage could not be read (each VM's row says so), or the objects.
    pub storage: Result<FleetStorage, Arc<anyhow::Error>>,
}

fn by_key(list: Vec<CompactObject>) -> HashMap<Key, CompactObject> {
    list.into_iter().map(|o| (o.key(), o)).collect()
}

impl FleetStorage {
    /// Joins the lists: VMIs, PVCs and DataVolumes by namespace and name.
    fn new(
        vmis: Vec<CompactObject>,
        claims: Vec<Claim>,
        data_volumes: Vec<CompactObject>,
        cluster: ClusterStorage,
    ) -> Self {
        let mut backend: HashMap<Key, Vec<Key>> = HashMap::new();
        let mut pvcs = HashMap::with_capacity(claims.len());
        for Claim {
            object,
            backend_for,
        } in claims
        {
            if let Some(vm) = backend_for {
                backend
                    .entry((object.namespace().to_owned(), vm))
                    .or_default()
                    .push(object.key());
            }
            pvcs.insert(object.key(), object);
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
            .filter_map(|c| self.pvcs.get(&at(c)).map(CompactObject::value))
            .collect();
        if needs_backend_storage(vm) {
            let labelled = self.backend.get(&(ns.clone(), name(vm).to_owned()));
            pvcs.extend(
                labelled
                    .into_iter()
                    .flatten()
                    .filter_map(|k| self.pvcs.get(k).map(CompactObject::value)),
            );
        }
        let data_volumes = dvs
            .iter()
            .filter_map(|d| self.data_volumes.get(&at(d)).map(CompactObject::value))
            .collect();
        let vmi = self
            .vmis
            .get(&(ns.clone(), name(vm).to_owned()))
            .map(CompactObject::value);
        self.cluster.inputs(vm.clone(), vmi, pvcs, data_volumes)
    }
}

impl KubeVirt {
    /// The VMs matching `selector` in `ns` (None: all namespaces) and every object their
    /// storage analysis reads: VMs, VMIs, PVCs, DataVolumes in the scope and the four
    /// cluster-scoped storage lists, all listed at once. Each object is made compact as its
    /// page is read, so no page is ever held as JSON values. A failed VM list fails; a failed
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
        let vms = vms?;
        let storage =
            (|| anyhow::Ok(FleetStorage::new(vmis?, pvcs?, dvs?, cluster?)))().map_err(Arc::new);
        Ok(Fleet { vms, storage })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::platform::kubevirt::analysis::analyse;
    use crate::platform::kubevirt::api::fixtures::{items, load};

    fn pvc(ns: &str, name: &str, labels: Value) -> Value {
        json!({"metadata": {"namespace": ns, "name": name, "labels": labels,
            "managedFields": [{"manager": "x"}]}})
    }

    /// `list` as a fleet list page delivers it: each object made compact as it is read.
    fn read<T: From<Value>>(list: Vec<Value>) -> Vec<T> {
        list.into_iter().map(T::from).collect()
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
            read(vec![
                json!({"metadata": {"namespace": "a", "name": "db"}}),
                json!({"metadata": {"namespace": "b", "name": "db"}}),
            ]),
            read(vec![
                pvc("a", "db-root", json!({})),
                pvc("a", "db-data", json!({})),
                pvc("b", "db-data", json!({})),
                pvc("a", "state", json!({BACKEND_STORAGE_LABEL: "db"})),
                pvc("a", "other-state", json!({BACKEND_STORAGE_LABEL: "web"})),
            ]),
            read(vec![
                json!({"metadata": {"namespace": "a", "name": "db-root"}}),
            ]),
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

    #[test]
    fn an_analysis_from_the_compact_fleet_equals_the_one_from_the_objects_as_read() {
        let vmis = vec![load("vmi-database-01.yaml"), load("vmi-win-app-01.yaml")];
        let storage = FleetStorage::new(
            read(vmis.clone()),
            read(items("pvcs.yaml")),
            read(items("datavolumes.yaml")),
            ClusterStorage::default(),
        );
        for file in [
            "vm-database-01.yaml",
            "vm-legacy-app.yaml",
            "vm-web-02-stopped.yaml",
            "vm-win-app-01.yaml",
            "vm-win11-tpm.yaml",
        ] {
            let vm = load(file);
            let vmi = vmis
                .iter()
                .find(|i| namespace(i) == namespace(&vm) && name(i) == name(&vm))
                .cloned();
            let as_read = StorageInputs {
                vm: vm.clone(),
                vmi,
                pvcs: items("pvcs.yaml"),
                data_volumes: items("datavolumes.yaml"),
                ..StorageInputs::default()
            };
            let from_fleet = storage.inputs(&CompactObject::from(vm).value());
            assert_eq!(analyse(&from_fleet), analyse(&as_read), "{file}");
        }
    }
}
