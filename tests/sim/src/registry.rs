//! The kinds the simulator serves: names, scope, verbs, printer columns and (when the reference
//! CRDs are found) their OpenAPI v3 schemas; plus the discovery documents built from them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::schema::{self, PrinterColumn};
use crate::store::Gvr;

/// One served kind. Its versions share storage; `versions[0]` is the storage/preferred one.
#[derive(Clone, Debug)]
pub struct ResourceDef {
    pub group: String,
    pub versions: Vec<String>,
    pub kind: String,
    pub list_kind: String,
    pub plural: String,
    pub singular: String,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub namespaced: bool,
    /// Verbs of the main resource.
    pub verbs: Vec<&'static str>,
    pub status_subresource: bool,
    pub printer_columns: Vec<PrinterColumn>,
    /// openAPIV3Schema per version, when the reference CRDs were found.
    pub schemas: BTreeMap<String, Arc<Value>>,
    /// A custom resource (served from a CRD in a real cluster), rather than a built-in kind.
    pub custom: bool,
}

impl ResourceDef {
    pub fn gvr(&self, version: &str) -> Gvr {
        Gvr::new(&self.group, version, &self.plural)
    }

    pub fn storage_gvr(&self) -> Gvr {
        self.gvr(&self.versions[0])
    }

    pub fn schema(&self, version: &str) -> Option<&Arc<Value>> {
        self.schemas
            .get(version)
            .or_else(|| self.schemas.get(&self.versions[0]))
    }
}

/// A subresource served under another group, like `subresources.kubevirt.io/v1`
/// `virtualmachines/start`, acting on a kind of the registry.
#[derive(Clone, Debug)]
pub struct ActionDef {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub subresource: String,
    /// The kind acted upon (group, plural).
    pub target: (String, String),
}

pub const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub defs: Vec<ResourceDef>,
    pub actions: Vec<ActionDef>,
    /// Whether any schema was loaded.
    pub schema_validation: bool,
}

fn col(name: &str, type_: &str, json_path: &str, priority: i64) -> PrinterColumn {
    PrinterColumn {
        name: name.into(),
        type_: type_.into(),
        json_path: json_path.into(),
        description: String::new(),
        priority,
        format: String::new(),
    }
}

fn age() -> PrinterColumn {
    col("Age", "date", ".metadata.creationTimestamp", 0)
}

#[allow(clippy::too_many_arguments)]
fn def(
    group: &str,
    versions: &[&str],
    kind: &str,
    plural: &str,
    short: &[&str],
    namespaced: bool,
    status: bool,
    columns: Vec<PrinterColumn>,
    custom: bool,
) -> ResourceDef {
    ResourceDef {
        group: group.into(),
        versions: versions.iter().map(|v| v.to_string()).collect(),
        kind: kind.into(),
        list_kind: format!("{kind}List"),
        plural: plural.into(),
        singular: kind.to_lowercase(),
        short_names: short.iter().map(|s| s.to_string()).collect(),
        categories: vec![],
        namespaced,
        verbs: ALL_VERBS.to_vec(),
        status_subresource: status,
        printer_columns: columns,
        schemas: BTreeMap::new(),
        custom,
    }
}

/// A virtualization platform whose kinds a simulated cluster may serve. A real cluster runs
/// one (two kinds named VirtualMachineSnapshot with the short name `vmsnapshot` on one cluster
/// is rare), so a scenario's `sim.yaml` says which with `platforms:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// KubeVirt with CDI: kubevirt.io and its *.kubevirt.io groups.
    Kubevirt,
    /// VMware VM Operator: vmoperator.vmware.com.
    Vmoperator,
    /// Deckhouse Virtualization: virtualization.deckhouse.io.
    Deckhouse,
}

impl Platform {
    /// The platform an API group belongs to; `None` for Kubernetes' own and CSI's groups.
    pub fn of_group(group: &str) -> Option<Platform> {
        if group == "kubevirt.io" || group.ends_with(".kubevirt.io") {
            Some(Platform::Kubevirt)
        } else if group == "vmoperator.vmware.com" {
            Some(Platform::Vmoperator)
        } else if group == "virtualization.deckhouse.io" {
            Some(Platform::Deckhouse)
        } else {
            None
        }
    }
}

impl Registry {
    /// Stop serving the kinds (and KubeVirt's subresource actions) of platforms not listed.
    pub fn retain_platforms(&mut self, platforms: &BTreeSet<Platform>) {
        let keep = |group: &str| Platform::of_group(group).is_none_or(|p| platforms.contains(&p));
        self.defs.retain(|d| keep(&d.group));
        self.actions.retain(|a| keep(&a.group));
    }

    /// Serve only `keep` of `group`'s versions; kinds left with none are not served.
    pub fn retain_versions(&mut self, group: &str, keep: &[String]) {
        for d in self.defs.iter_mut().filter(|d| d.group == group) {
            d.versions.retain(|v| keep.contains(v));
        }
        self.defs.retain(|d| !d.versions.is_empty());
    }

    /// The kinds of a KubeVirt cluster with CSI snapshots and CDI, without schemas.
    pub fn builtin() -> Self {
        // kubevirt/kubevirt staging/src/kubevirt.io/api/core/v1/register.go
        // (ApiSupportedVersions): v1 is stored, v1alpha3 is still served (deprecated). The
        // reference CRDs say the same, so discovery reads alike with or without them.
        const KUBEVIRT_CORE_VERSIONS: &[&str] = &["v1", "v1alpha3"];
        let mut defs = vec![
            def(
                "",
                &["v1"],
                "Namespace",
                "namespaces",
                &["ns"],
                false,
                true,
                vec![col("Status", "string", ".status.phase", 0), age()],
                false,
            ),
            def(
                "",
                &["v1"],
                "PersistentVolumeClaim",
                "persistentvolumeclaims",
                &["pvc"],
                true,
                true,
                vec![
                    col("Status", "string", ".status.phase", 0),
                    col("Volume", "string", ".spec.volumeName", 0),
                    col("Capacity", "string", ".status.capacity.storage", 0),
                    col("Access Modes", "string", ".spec.accessModes", 0),
                    col("StorageClass", "string", ".spec.storageClassName", 0),
                    age(),
                    col("VolumeMode", "string", ".spec.volumeMode", 1),
                ],
                false,
            ),
            def(
                "",
                &["v1"],
                "PersistentVolume",
                "persistentvolumes",
                &["pv"],
                false,
                true,
                vec![
                    col("Capacity", "string", ".spec.capacity.storage", 0),
                    col("Access Modes", "string", ".spec.accessModes", 0),
                    col(
                        "Reclaim Policy",
                        "string",
                        ".spec.persistentVolumeReclaimPolicy",
                        0,
                    ),
                    col("Status", "string", ".status.phase", 0),
                    col("Claim", "string", ".spec.claimRef.name", 0),
                    col("StorageClass", "string", ".spec.storageClassName", 0),
                    age(),
                ],
                false,
            ),
            def(
                "",
                &["v1"],
                "Secret",
                "secrets",
                &[],
                true,
                false,
                vec![col("Type", "string", ".type", 0), age()],
                false,
            ),
            def(
                "",
                &["v1"],
                "Event",
                "events",
                &["ev"],
                true,
                false,
                vec![
                    col("Last Seen", "date", ".lastTimestamp", 0),
                    col("Type", "string", ".type", 0),
                    col("Reason", "string", ".reason", 0),
                    col("Object", "string", ".involvedObject.name", 0),
                    col("Message", "string", ".message", 0),
                ],
                false,
            ),
            def(
                "storage.k8s.io",
                &["v1"],
                "StorageClass",
                "storageclasses",
                &["sc"],
                false,
                false,
                vec![
                    col("Provisioner", "string", ".provisioner", 0),
                    col("ReclaimPolicy", "string", ".reclaimPolicy", 0),
                    col("VolumeBindingMode", "string", ".volumeBindingMode", 0),
                    col(
                        "AllowVolumeExpansion",
                        "boolean",
                        ".allowVolumeExpansion",
                        0,
                    ),
                    age(),
                ],
                false,
            ),
            def(
                "storage.k8s.io",
                &["v1"],
                "CSIDriver",
                "csidrivers",
                &[],
                false,
                false,
                vec![
                    col("AttachRequired", "boolean", ".spec.attachRequired", 0),
                    col("PodInfoOnMount", "boolean", ".spec.podInfoOnMount", 0),
                    col("Modes", "string", ".spec.volumeLifecycleModes", 0),
                    age(),
                ],
                false,
            ),
            def(
                "snapshot.storage.k8s.io",
                &["v1"],
                "VolumeSnapshotClass",
                "volumesnapshotclasses",
                &["vsclass", "vsclasses"],
                false,
                false,
                vec![
                    col("Driver", "string", ".driver", 0),
                    col("DeletionPolicy", "string", ".deletionPolicy", 0),
                    age(),
                ],
                true,
            ),
            def(
                "snapshot.storage.k8s.io",
                &["v1"],
                "VolumeSnapshot",
                "volumesnapshots",
                &["vs"],
                true,
                true,
                vec![
                    col("ReadyToUse", "boolean", ".status.readyToUse", 0),
                    col(
                        "SourcePVC",
                        "string",
                        ".spec.source.persistentVolumeClaimName",
                        0,
                    ),
                    col("RestoreSize", "string", ".status.restoreSize", 0),
                    col(
                        "SnapshotClass",
                        "string",
                        ".spec.volumeSnapshotClassName",
                        0,
                    ),
                    col(
                        "SnapshotContent",
                        "string",
                        ".status.boundVolumeSnapshotContentName",
                        0,
                    ),
                    col("CreationTime", "date", ".status.creationTime", 0),
                    age(),
                ],
                true,
            ),
            def(
                "snapshot.storage.k8s.io",
                &["v1"],
                "VolumeSnapshotContent",
                "volumesnapshotcontents",
                &["vsc", "vscs"],
                false,
                true,
                vec![
                    col("ReadyToUse", "boolean", ".status.readyToUse", 0),
                    col("RestoreSize", "integer", ".status.restoreSize", 0),
                    col("DeletionPolicy", "string", ".spec.deletionPolicy", 0),
                    col("Driver", "string", ".spec.driver", 0),
                    col(
                        "VolumeSnapshot",
                        "string",
                        ".spec.volumeSnapshotRef.name",
                        0,
                    ),
                    age(),
                ],
                true,
            ),
            def(
                "cdi.kubevirt.io",
                &["v1beta1"],
                "DataVolume",
                "datavolumes",
                &["dv", "dvs"],
                true,
                true,
                vec![
                    col("Phase", "string", ".status.phase", 0),
                    col("Progress", "string", ".status.progress", 0),
                    col("Restarts", "integer", ".status.restartCount", 0),
                    age(),
                ],
                true,
            ),
            def(
                "cdi.kubevirt.io",
                &["v1beta1"],
                "StorageProfile",
                "storageprofiles",
                &[],
                false,
                true,
                vec![age()],
                true,
            ),
            def(
                "kubevirt.io",
                KUBEVIRT_CORE_VERSIONS,
                "VirtualMachine",
                "virtualmachines",
                &["vm", "vms"],
                true,
                true,
                vec![
                    age(),
                    col("Status", "string", ".status.printableStatus", 0),
                    col(
                        "Ready",
                        "string",
                        ".status.conditions[?(@.type=='Ready')].status",
                        0,
                    ),
                ],
                true,
            ),
            def(
                "kubevirt.io",
                KUBEVIRT_CORE_VERSIONS,
                "VirtualMachineInstance",
                "virtualmachineinstances",
                &["vmi", "vmis"],
                true,
                true,
                vec![
                    age(),
                    col("Phase", "string", ".status.phase", 0),
                    col("IP", "string", ".status.interfaces[0].ipAddress", 0),
                    col("NodeName", "string", ".status.nodeName", 0),
                    col(
                        "Ready",
                        "string",
                        ".status.conditions[?(@.type=='Ready')].status",
                        0,
                    ),
                ],
                true,
            ),
            def(
                "snapshot.kubevirt.io",
                &["v1beta1", "v1alpha1"],
                "VirtualMachineSnapshot",
                "virtualmachinesnapshots",
                &["vmsnapshot", "vmsnapshots"],
                true,
                true,
                vec![
                    col("SourceKind", "string", ".spec.source.kind", 0),
                    col("SourceName", "string", ".spec.source.name", 0),
                    col("Phase", "string", ".status.phase", 0),
                    col("ReadyToUse", "boolean", ".status.readyToUse", 0),
                    col("CreationTime", "date", ".status.creationTime", 0),
                    col("Error", "string", ".status.error.message", 0),
                ],
                true,
            ),
            def(
                "snapshot.kubevirt.io",
                &["v1beta1", "v1alpha1"],
                "VirtualMachineSnapshotContent",
                "virtualmachinesnapshotcontents",
                &["vmsnapshotcontent", "vmsnapshotcontents"],
                true,
                true,
                vec![
                    col("ReadyToUse", "boolean", ".status.readyToUse", 0),
                    col("CreationTime", "date", ".status.creationTime", 0),
                    col("Error", "string", ".status.error.message", 0),
                ],
                true,
            ),
            def(
                "snapshot.kubevirt.io",
                &["v1beta1", "v1alpha1"],
                "VirtualMachineRestore",
                "virtualmachinerestores",
                &["vmrestore", "vmrestores"],
                true,
                true,
                vec![
                    col("TargetKind", "string", ".spec.target.kind", 0),
                    col("TargetName", "string", ".spec.target.name", 0),
                    col("Complete", "boolean", ".status.complete", 0),
                    col("RestoreTime", "date", ".status.restoreTime", 0),
                    col("Error", "string", ".status.error.message", 0),
                ],
                true,
            ),
            def(
                "clone.kubevirt.io",
                &["v1beta1", "v1alpha1"],
                "VirtualMachineClone",
                "virtualmachineclones",
                &["vmclone", "vmclones"],
                true,
                true,
                vec![
                    col("Phase", "string", ".status.phase", 0),
                    col("SourceVirtualMachine", "string", ".spec.source.name", 0),
                    col("TargetVirtualMachine", "string", ".spec.target.name", 0),
                ],
                true,
            ),
        ];
        // The VM revisions virt-controller writes when a VMI starts (a snapshot of a running VM
        // stores the spec from there).
        defs.push(def(
            "apps",
            &["v1"],
            "ControllerRevision",
            "controllerrevisions",
            &[],
            true,
            false,
            vec![
                col(
                    "Controller",
                    "string",
                    ".metadata.ownerReferences[0].name",
                    0,
                ),
                col("Revision", "integer", ".revision", 0),
                age(),
            ],
            false,
        ));
        defs.extend(crate::controllers::deckhouse::resource_defs());
        let mut ssar = def(
            "authorization.k8s.io",
            &["v1"],
            "SelfSubjectAccessReview",
            "selfsubjectaccessreviews",
            &[],
            false,
            false,
            vec![],
            false,
        );
        ssar.verbs = vec!["create"];
        // VMware VM Operator (vSphere Supervisor) as on vm-operator main: v1alpha6 (storage) and
        // v1alpha5 (the vSphere 9.1 line's) for snapshots; VMs are served from v1alpha1 on
        // (config/crd/bases: the VM CRD serves v1alpha1–v1alpha6, the snapshot CRD v1alpha5–6).
        const VM_VERSIONS: &[&str] = &[
            "v1alpha6", "v1alpha5", "v1alpha4", "v1alpha3", "v1alpha2", "v1alpha1",
        ];
        for (kind, plural, short, versions) in [
            ("VirtualMachine", "virtualmachines", "vm", VM_VERSIONS),
            (
                "VirtualMachineSnapshot",
                "virtualmachinesnapshots",
                "vmsnapshot",
                &VM_VERSIONS[..2],
            ),
        ] {
            defs.push(def(
                "vmoperator.vmware.com",
                versions,
                kind,
                plural,
                &[short],
                true,
                true,
                vec![age()],
                true,
            ));
        }
        let mut ssrr = ssar.clone();
        ssrr.kind = "SelfSubjectRulesReview".into();
        ssrr.list_kind = "SelfSubjectRulesReviewList".into();
        ssrr.plural = "selfsubjectrulesreviews".into();
        ssrr.singular = "selfsubjectrulesreview".into();
        defs.push(ssar);
        defs.push(ssrr);
        for d in &mut defs {
            if d.group == "kubevirt.io" || d.group.ends_with(".kubevirt.io") {
                d.categories = vec!["all".into()];
            }
        }
        let action = |plural: &str, sub: &str| ActionDef {
            group: "subresources.kubevirt.io".into(),
            version: "v1".into(),
            plural: plural.into(),
            subresource: sub.into(),
            target: ("kubevirt.io".into(), plural.into()),
        };
        let actions = vec![
            action("virtualmachines", "start"),
            action("virtualmachines", "stop"),
            action("virtualmachines", "restart"),
            action("virtualmachineinstances", "freeze"),
            action("virtualmachineinstances", "unfreeze"),
        ];
        Registry {
            defs,
            actions,
            schema_validation: false,
        }
    }

    /// Take names, printer columns and schemas from the reference CRDs in `dir` for the kinds
    /// already registered (other CRDs there are ignored). Returns load errors, if any.
    pub fn load_schemas(&mut self, dir: &Path) -> anyhow::Result<Vec<anyhow::Error>> {
        let (versions, errors) = schema::load_dir(dir)?;
        for v in versions {
            let Some(d) = self
                .defs
                .iter_mut()
                .find(|d| d.group == v.group && d.plural == v.plural)
            else {
                continue;
            };
            if !v.served {
                continue;
            }
            if !v.short_names.is_empty() {
                d.short_names = v.short_names.clone();
            }
            if !v.singular.is_empty() {
                d.singular = v.singular.clone();
            }
            if !v.categories.is_empty() {
                d.categories = v.categories.clone();
            }
            if !v.printer_columns.is_empty() && (v.storage || v.version == d.versions[0]) {
                d.printer_columns = v.printer_columns.clone();
            }
            d.status_subresource = d.status_subresource || v.status_subresource;
            d.namespaced = v.namespaced;
            if !d.versions.contains(&v.version) {
                d.versions.push(v.version.clone());
            }
            d.schemas.insert(v.version.clone(), v.schema.clone());
            self.schema_validation = true;
        }
        Ok(errors)
    }

    pub fn find(&self, group: &str, plural: &str) -> Option<&ResourceDef> {
        self.defs
            .iter()
            .find(|d| d.group == group && d.plural == plural)
    }

    /// The def serving `group/version/plural`.
    pub fn lookup(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceDef> {
        self.find(group, plural)
            .filter(|d| d.versions.iter().any(|v| v == version))
    }

    /// Find by apiVersion + kind (scenario documents).
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<(&ResourceDef, Gvr)> {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        let d = self.defs.iter().find(|d| {
            d.group == group && d.kind == kind && d.versions.iter().any(|v| v == version)
        })?;
        Some((d, d.gvr(version)))
    }

    pub fn action(
        &self,
        group: &str,
        version: &str,
        plural: &str,
        sub: &str,
    ) -> Option<&ActionDef> {
        self.actions.iter().find(|a| {
            a.group == group && a.version == version && a.plural == plural && a.subresource == sub
        })
    }

    /// Groups in discovery order, each with its versions (preferred first).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        let mut push = |group: &str, version: &str| {
            if group.is_empty() {
                return;
            }
            match out.iter_mut().find(|(g, _)| g == group) {
                Some((_, vs)) => {
                    if !vs.iter().any(|v| v == version) {
                        vs.push(version.to_string());
                    }
                }
                None => out.push((group.to_string(), vec![version.to_string()])),
            }
        };
        for d in &self.defs {
            for v in &d.versions {
                push(&d.group, v);
            }
        }
        for a in &self.actions {
            push(&a.group, &a.version);
        }
        out
    }

    /// `/api` (APIVersions).
    pub fn api_versions(&self, server_address: &str) -> Value {
        json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{ "clientCIDR": "0.0.0.0/0", "serverAddress": server_address }],
        })
    }

    fn api_group(&self, name: &str, versions: &[String]) -> Value {
        let vs: Vec<Value> = versions
            .iter()
            .map(|v| json!({ "groupVersion": format!("{name}/{v}"), "version": v }))
            .collect();
        json!({
            "name": name,
            "versions": vs,
            "preferredVersion": { "groupVersion": format!("{name}/{}", versions[0]), "version": versions[0] },
        })
    }

    /// `/apis` (APIGroupList).
    pub fn api_group_list(&self) -> Value {
        let groups: Vec<Value> = self
            .groups()
            .iter()
            .map(|(g, vs)| self.api_group(g, vs))
            .collect();
        json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": groups })
    }

    /// `/apis/{group}` (APIGroup).
    pub fn api_group_doc(&self, group: &str) -> Option<Value> {
        let (g, vs) = self.groups().into_iter().find(|(g, _)| g == group)?;
        let mut doc = self.api_group(&g, &vs);
        doc["kind"] = json!("APIGroup");
        doc["apiVersion"] = json!("v1");
        Some(doc)
    }

    /// `/api/v1` or `/apis/{group}/{version}` (APIResourceList).
    pub fn api_resource_list(&self, group: &str, version: &str) -> Option<Value> {
        let mut resources = Vec::new();
        let mut found = false;
        for d in self
            .defs
            .iter()
            .filter(|d| d.group == group && d.versions.iter().any(|v| v == version))
        {
            found = true;
            let mut r = json!({
                "name": d.plural,
                "singularName": d.singular,
                "namespaced": d.namespaced,
                "kind": d.kind,
                "verbs": d.verbs,
                "storageVersionHash": storage_hash(&d.group, &d.plural),
            });
            if !d.short_names.is_empty() {
                r["shortNames"] = json!(d.short_names);
            }
            if !d.categories.is_empty() {
                r["categories"] = json!(d.categories);
            }
            resources.push(r);
            if d.status_subresource {
                resources.push(json!({
                    "name": format!("{}/status", d.plural),
                    "singularName": "",
                    "namespaced": d.namespaced,
                    "kind": d.kind,
                    "verbs": ["get", "patch", "update"],
                }));
            }
        }
        for a in self
            .actions
            .iter()
            .filter(|a| a.group == group && a.version == version)
        {
            found = true;
            resources.push(json!({
                "name": format!("{}/{}", a.plural, a.subresource),
                "singularName": "",
                "namespaced": true,
                "kind": "",
                "verbs": ["update"],
            }));
        }
        if !(found || group.is_empty() && version == "v1") {
            return None;
        }
        let gv = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        Some(
            json!({ "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources }),
        )
    }
}

impl Registry {
    /// Aggregated discovery (`apidiscovery.k8s.io`, `version` v2 or v2beta1): `/api` when
    /// `core`, else `/apis`, every group-version with its resources and subresources in one
    /// document. Subresources served without their parent (KubeVirt's actions) get a
    /// placeholder parent, as kube-aggregator makes.
    pub fn aggregated_discovery(&self, core: bool, version: &str) -> Value {
        let groups: Vec<(String, Vec<String>)> = if core {
            vec![(String::new(), vec!["v1".into()])]
        } else {
            self.groups()
        };
        let items: Vec<Value> = groups
            .iter()
            .map(|(group, versions)| {
                let versions: Vec<Value> = versions
                    .iter()
                    .map(|v| json!({ "version": v, "resources": self.discovery_resources(group, v), "freshness": "Current" }))
                    .collect();
                json!({ "metadata": { "name": group }, "versions": versions })
            })
            .collect();
        json!({
            "kind": "APIGroupDiscoveryList",
            "apiVersion": format!("apidiscovery.k8s.io/{version}"),
            "metadata": {},
            "items": items,
        })
    }

    fn discovery_resources(&self, group: &str, version: &str) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        for d in self
            .defs
            .iter()
            .filter(|d| d.group == group && d.versions.iter().any(|v| v == version))
        {
            let kind = json!({ "group": group, "version": version, "kind": d.kind });
            let mut r = json!({
                "resource": d.plural,
                "responseKind": kind,
                "scope": if d.namespaced { "Namespaced" } else { "Cluster" },
                "singularResource": d.singular,
                "verbs": d.verbs,
            });
            if !d.short_names.is_empty() {
                r["shortNames"] = json!(d.short_names);
            }
            if !d.categories.is_empty() {
                r["categories"] = json!(d.categories);
            }
            if d.status_subresource {
                r["subresources"] = json!([{ "subresource": "status", "responseKind": kind, "verbs": ["get", "patch", "update"] }]);
            }
            out.push(r);
        }
        for a in self
            .actions
            .iter()
            .filter(|a| a.group == group && a.version == version)
        {
            let sub = json!({ "subresource": a.subresource, "verbs": ["update"] });
            match out.iter_mut().find(|r| r["resource"] == a.plural.as_str()) {
                Some(parent) => match parent["subresources"].as_array_mut() {
                    Some(subs) => subs.push(sub),
                    None => parent["subresources"] = json!([sub]),
                },
                None => out.push(json!({
                    "resource": a.plural,
                    "responseKind": { "group": "", "version": "", "kind": "" },
                    "scope": "Namespaced",
                    "singularResource": "",
                    "subresources": [sub],
                })),
            }
        }
        out
    }
}

/// A stable short hash, shaped like the apiserver's storageVersionHash.
fn storage_hash(group: &str, plural: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in group
        .bytes()
        .chain(std::iter::once(b'/'))
        .chain(plural.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..11)
        .map(|i| ALPHABET[((h >> (i * 6)) & 63) as usize] as char)
        .collect::<String>()
        + "="
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retaining_versions_narrows_one_group_and_drops_kinds_left_without_any() {
        let mut r = Registry::builtin();
        r.retain_versions("vmoperator.vmware.com", &["v1alpha5".to_string()]);
        let snaps = r
            .find("vmoperator.vmware.com", "virtualmachinesnapshots")
            .expect("still served");
        assert_eq!(snaps.versions, ["v1alpha5"]);
        assert!(r.find("kubevirt.io", "virtualmachines").is_some());
        r.retain_versions("vmoperator.vmware.com", &[]);
        assert!(r.find("vmoperator.vmware.com", "virtualmachines").is_none());
    }

    #[test]
    fn retaining_platforms_drops_the_other_platforms_kinds_and_keeps_kubernetes_own() {
        let mut r = Registry::builtin();
        r.retain_platforms(&BTreeSet::from([Platform::Kubevirt]));
        assert!(
            r.find("snapshot.kubevirt.io", "virtualmachinesnapshots")
                .is_some()
        );
        assert!(r.find("cdi.kubevirt.io", "datavolumes").is_some());
        assert!(
            r.find("snapshot.storage.k8s.io", "volumesnapshots")
                .is_some()
        );
        assert!(r.find("", "persistentvolumeclaims").is_some());
        assert!(
            r.find("vmoperator.vmware.com", "virtualmachinesnapshots")
                .is_none()
        );
        assert!(
            r.find("virtualization.deckhouse.io", "virtualmachinesnapshots")
                .is_none()
        );
        r.retain_platforms(&BTreeSet::new());
        assert!(r.find("kubevirt.io", "virtualmachines").is_none());
        assert!(
            r.action("subresources.kubevirt.io", "v1", "virtualmachines", "stop")
                .is_none()
        );
        assert!(r.find("storage.k8s.io", "storageclasses").is_some());
    }

    #[test]
    fn builtin_registry_serves_the_kubevirt_kinds() {
        let r = Registry::builtin();
        let d = r
            .lookup(
                "snapshot.kubevirt.io",
                "v1alpha1",
                "virtualmachinesnapshots",
            )
            .unwrap();
        assert_eq!(d.kind, "VirtualMachineSnapshot");
        assert!(d.short_names.contains(&"vmsnapshot".to_string()));
        let list = r
            .api_resource_list("snapshot.kubevirt.io", "v1beta1")
            .unwrap();
        let names: Vec<&str> = list["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"virtualmachinesnapshots/status"));
        let sub = r
            .api_resource_list("subresources.kubevirt.io", "v1")
            .unwrap();
        assert!(
            sub["resources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["name"] == "virtualmachines/start")
        );
        assert!(r.api_resource_list("nope.io", "v1").is_none());
    }

    #[test]
    fn aggregated_discovery_nests_subresources_under_their_resource() {
        let r = Registry::builtin();
        let apis = r.aggregated_discovery(false, "v2");
        let items = apis["items"].as_array().unwrap();
        let snap = items
            .iter()
            .find(|g| g["metadata"]["name"] == "snapshot.kubevirt.io")
            .unwrap();
        assert_eq!(snap["versions"][0]["version"], "v1beta1");
        let res = snap["versions"][0]["resources"].as_array().unwrap();
        let vms = res
            .iter()
            .find(|r| r["resource"] == "virtualmachinesnapshots")
            .unwrap();
        assert_eq!(vms["scope"], "Namespaced");
        assert_eq!(vms["subresources"][0]["subresource"], "status");
        let actions = items
            .iter()
            .find(|g| g["metadata"]["name"] == "subresources.kubevirt.io")
            .unwrap();
        let vm = &actions["versions"][0]["resources"][0];
        assert_eq!(vm["resource"], "virtualmachines");
        assert!(vm.get("verbs").is_none());
        let core = r.aggregated_discovery(true, "v2");
        assert_eq!(core["items"][0]["metadata"]["name"], "");
    }

    #[test]
    fn reference_schemas_attach_to_registered_kinds() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference");
        if !dir.is_dir() {
            return;
        }
        let mut r = Registry::builtin();
        r.load_schemas(&dir).unwrap();
        assert!(r.schema_validation);
        let d = r
            .find("snapshot.kubevirt.io", "virtualmachinesnapshots")
            .unwrap();
        assert!(d.schema("v1beta1").is_some());
        assert!(
            r.find("virtualization.deckhouse.io", "virtualmachinesnapshots")
                .is_some_and(|d| d.schema("v1alpha2").is_some())
        );
    }
}
