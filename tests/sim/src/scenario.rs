//! Scenarios: directories or files of ordinary Kubernetes YAML documents, plus an optional
//! `sim.yaml` (users and their rules, default user and namespace, controller timings and
//! outcomes, faults), loaded into the store and the simulator's configuration.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::registry::{Platform, Registry};
use crate::server::auth::{User, builtin_users};
use crate::server::faults::FaultRule;
use crate::server::patch::merge_patch;
use crate::store::{Gvr, Store};

/// The `sim.yaml` of a scenario.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SimFile {
    #[serde(default)]
    pub users: Vec<User>,
    /// The user whose token `serve --kubeconfig` writes (default `admin`).
    #[serde(default)]
    pub default_user: Option<String>,
    /// The kubeconfig context's namespace (default `default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Controller timings and outcomes, handed to the controllers as their config.
    #[serde(default)]
    pub controllers: Value,
    #[serde(default)]
    pub faults: Vec<FaultRule>,
    /// The platforms whose kinds are served (default: all of them).
    #[serde(default)]
    pub platforms: Option<Vec<Platform>>,
    /// Serve only these versions of a group, e.g. `{vmoperator.vmware.com: [v1alpha5]}` for
    /// a vSphere 9.1 Supervisor (default: every version the simulator knows).
    #[serde(default)]
    pub served_versions: BTreeMap<String, Vec<String>>,
}

/// Everything the scenarios given to a simulator add up to.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// (source file, document) in load order; later documents replace earlier ones.
    pub objects: Vec<(String, Value)>,
    pub users: Vec<User>,
    pub default_user: String,
    pub namespace: String,
    pub controllers: Value,
    pub faults: Vec<FaultRule>,
    /// The union of the platforms the loaded `sim.yaml` files declare; `None` when none
    /// declares any, and then every platform is served.
    pub platforms: Option<BTreeSet<Platform>>,
    /// Versions to serve per group (later files override earlier ones, group by group).
    pub served_versions: BTreeMap<String, Vec<String>>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            objects: vec![],
            users: builtin_users(),
            default_user: "admin".into(),
            namespace: "default".into(),
            controllers: json!({}),
            faults: vec![],
            platforms: None,
            served_versions: BTreeMap::new(),
        }
    }
}

fn is_sim_file(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base == "sim.yaml" || base == "sim.yml"
}

impl Scenario {
    /// Load a file, or every `*.yaml`/`*.yml`/`*.json` file of a directory (sorted by name, not recursive).
    pub fn load_path(&mut self, path: &Path) -> anyhow::Result<()> {
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .with_context(|| format!("failed to read scenario directory {}", path.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                })
                .collect();
            files.sort();
            // sim.yaml last so its settings apply whatever the file order.
            files.sort_by_key(|p| is_sim_file(&p.to_string_lossy()));
            for f in files {
                self.load_path(&f)?;
            }
            return Ok(());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read scenario {}", path.display()))?;
        self.load_str(&path.to_string_lossy(), &text)
    }

    /// Load one file's text; `name` decides whether it is a `sim.yaml`.
    pub fn load_str(&mut self, name: &str, text: &str) -> anyhow::Result<()> {
        if is_sim_file(name) {
            let file: SimFile =
                serde_saphyr::from_str(text).with_context(|| format!("failed to parse {name}"))?;
            self.apply_sim_file(file);
            return Ok(());
        }
        let docs: Vec<Value> = serde_saphyr::from_multiple(text)
            .with_context(|| format!("failed to parse YAML in {name}"))?;
        for doc in docs {
            if doc.is_null() {
                continue;
            }
            if doc.get("kind").and_then(Value::as_str) == Some("List") {
                for item in doc
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    self.objects.push((name.to_string(), item.clone()));
                }
            } else {
                self.objects.push((name.to_string(), doc));
            }
        }
        Ok(())
    }

    pub fn apply_sim_file(&mut self, file: SimFile) {
        for u in file.users {
            self.users.retain(|x| x.name != u.name);
            self.users.push(u);
        }
        if let Some(u) = file.default_user {
            self.default_user = u;
        }
        if let Some(ns) = file.namespace {
            self.namespace = ns;
        }
        if !file.controllers.is_null() {
            merge_patch(&mut self.controllers, &file.controllers);
        }
        self.faults.extend(file.faults);
        if let Some(platforms) = file.platforms {
            self.platforms
                .get_or_insert_with(BTreeSet::new)
                .extend(platforms);
        }
        self.served_versions.extend(file.served_versions);
    }

    /// Put the documents into the store: namespaces first (created when only referenced),
    /// then everything else; a document naming an existing object replaces it.
    pub fn apply(&self, store: &Store, registry: &Registry) -> anyhow::Result<()> {
        let ns_gvr = Gvr::new("", "v1", "namespaces");
        let mut resolved = Vec::new();
        for (source, doc) in &self.objects {
            let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
            let Some((def, gvr)) = registry.by_kind(api_version, kind) else {
                bail!(
                    "{source}: the simulator does not serve kind {kind:?} of apiVersion {api_version:?}"
                );
            };
            let mut obj = doc.clone();
            if obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                bail!("{source}: a {kind} without metadata.name");
            }
            if def.namespaced {
                if obj
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    obj["metadata"]["namespace"] = json!("default");
                }
            } else if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("namespace");
            }
            resolved.push((def.namespaced, gvr, obj));
        }
        let mut wanted_ns: Vec<String> = vec!["default".into()];
        for (namespaced, _, obj) in &resolved {
            if *namespaced
                && let Some(ns) = obj.pointer("/metadata/namespace").and_then(Value::as_str)
                && !wanted_ns.iter().any(|n| n == ns)
            {
                wanted_ns.push(ns.to_string());
            }
        }
        let put = |gvr: &Gvr, obj: Value| -> anyhow::Result<()> {
            let name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let ns = obj
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .map(str::to_string);
            if store.get(gvr, ns.as_deref(), &name).is_some() {
                let mut obj = obj;
                if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("resourceVersion");
                }
                store
                    .update(gvr, obj)
                    .map_err(|e| anyhow::anyhow!("failed to load {gvr} {name}: {e}"))?;
            } else {
                store
                    .create(gvr, obj)
                    .map_err(|e| anyhow::anyhow!("failed to load {gvr} {name}: {e}"))?;
            }
            Ok(())
        };
        for (_, gvr, obj) in resolved
            .iter()
            .filter(|(_, g, _)| g.group.is_empty() && g.plural == "namespaces")
        {
            let mut obj = obj.clone();
            if obj.pointer("/status/phase").is_none() {
                obj["status"] = json!({ "phase": "Active" });
            }
            put(gvr, obj)?;
        }
        for ns in wanted_ns {
            if store.get(&ns_gvr, None, &ns).is_none() {
                put(
                    &ns_gvr,
                    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}, "status": {"phase": "Active"}}),
                )?;
            }
        }
        for (_, gvr, obj) in resolved
            .iter()
            .filter(|(_, g, _)| !(g.group.is_empty() && g.plural == "namespaces"))
        {
            put(gvr, obj.clone())?;
        }
        Ok(())
    }

    pub fn user_by_token(&self, token: &str) -> Option<&User> {
        self.users.iter().find(|u| u.token() == token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_the_union_of_what_sim_files_declare_and_all_when_none_does() {
        let mut s = Scenario::default();
        s.load_str("a/sim.yaml", "namespace: x\n").unwrap();
        assert_eq!(s.platforms, None);
        s.load_str("b/sim.yaml", "platforms: [kubevirt]\n").unwrap();
        s.load_str("c/sim.yaml", "platforms: [deckhouse]\n")
            .unwrap();
        assert_eq!(
            s.platforms,
            Some(BTreeSet::from([Platform::Kubevirt, Platform::Deckhouse]))
        );
        assert!(s.load_str("d/sim.yaml", "platforms: [hyperv]\n").is_err());
    }

    #[test]
    fn documents_load_with_namespaces_created_and_later_ones_winning() {
        let mut s = Scenario::default();
        s.load_str(
            "a.yaml",
            "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: db, namespace: prod, creationTimestamp: '2026-01-01T00:00:00Z'}\nspec: {runStrategy: Halted}\n---\n",
        )
        .unwrap();
        s.load_str("b.yaml", "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: db, namespace: prod}\nspec: {runStrategy: Always}\n").unwrap();
        s.load_str("x/sim.yaml", "users:\n- name: bob\n  rules: [{verbs: [get]}]\ndefaultUser: bob\ncontrollers: {snapshot: {duration: 2s}}\n").unwrap();
        let store = Store::new();
        s.apply(&store, &Registry::builtin()).unwrap();
        let vm = store
            .get(
                &Gvr::new("kubevirt.io", "v1", "virtualmachines"),
                Some("prod"),
                "db",
            )
            .unwrap();
        assert_eq!(vm["spec"]["runStrategy"], "Always");
        assert_eq!(vm["metadata"]["creationTimestamp"], "2026-01-01T00:00:00Z");
        assert!(
            store
                .get(&Gvr::new("", "v1", "namespaces"), None, "prod")
                .is_some()
        );
        assert_eq!(s.default_user, "bob");
        assert_eq!(s.controllers["snapshot"]["duration"], "2s");
        assert!(s.user_by_token("bob-token").is_some());
    }

    #[test]
    fn unknown_kinds_are_refused_with_their_file() {
        let mut s = Scenario::default();
        s.load_str("z.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
            .unwrap();
        let err = s
            .apply(&Store::new(), &Registry::builtin())
            .unwrap_err()
            .to_string();
        assert!(err.contains("z.yaml") && err.contains("Pod"), "{err}");
    }
}
