//! Bearer-token users with RBAC-like rules (verbs × apiGroups × resources × namespaces), and
//! SelfSubjectAccessReview answers from the same rules.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One rule. `"*"` matches anything. `namespaces` absent = every namespace and the cluster
/// scope (like a ClusterRoleBinding); present = only those namespaces (like RoleBindings).
/// `resources` may name subresources (`virtualmachines/start`, `*/status`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub verbs: Vec<String>,
    #[serde(default = "star")]
    pub api_groups: Vec<String>,
    #[serde(default = "star")]
    pub resources: Vec<String>,
    #[serde(default)]
    pub namespaces: Option<Vec<String>>,
    #[serde(default)]
    pub resource_names: Option<Vec<String>>,
}

impl Default for Rule {
    /// No verbs; every group and resource, every namespace.
    fn default() -> Self {
        Rule {
            verbs: vec![],
            api_groups: star(),
            resources: star(),
            namespaces: None,
            resource_names: None,
        }
    }
}

fn star() -> Vec<String> {
    vec!["*".into()]
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub name: String,
    /// Defaults to `<name>-token`.
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl User {
    pub fn token(&self) -> String {
        self.token
            .clone()
            .unwrap_or_else(|| format!("{}-token", self.name))
    }

    pub fn new(name: &str, rules: Vec<Rule>) -> Self {
        User {
            name: name.into(),
            token: None,
            rules,
        }
    }
}

/// What is being asked: verb, group, resource (with `/sub` for a subresource), namespace, name.
#[derive(Clone, Debug, Default)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: Option<String>,
    pub name: String,
}

fn any(list: &[String], want: &str) -> bool {
    list.iter().any(|x| x == "*" || x == want)
}

impl Rule {
    pub fn allows(&self, a: &Attributes) -> bool {
        if !any(&self.verbs, &a.verb) || !any(&self.api_groups, &a.group) {
            return false;
        }
        let resource_ok = if a.subresource.is_empty() {
            any(&self.resources, &a.resource)
        } else {
            let full = format!("{}/{}", a.resource, a.subresource);
            let star_sub = format!("*/{}", a.subresource);
            self.resources.iter().any(|r| {
                r == "*" || *r == full || *r == star_sub || *r == format!("{}/*", a.resource)
            })
        };
        if !resource_ok {
            return false;
        }
        if let Some(names) = &self.resource_names
            && !names.is_empty()
            && !names.contains(&a.name)
        {
            return false;
        }
        match (&self.namespaces, &a.namespace) {
            (None, _) => true,
            (Some(allowed), Some(ns)) => any(allowed, ns),
            (Some(allowed), None) => allowed.iter().any(|x| x == "*"),
        }
    }
}

impl User {
    pub fn allows(&self, a: &Attributes) -> bool {
        self.rules.iter().any(|r| r.allows(a))
    }
}

/// The identity a request asks to act as (`Impersonate-User`, `-Group`, `-Uid` headers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Impersonation {
    pub user: String,
    pub groups: Vec<String>,
    pub uid: String,
}

/// Whether `user` may impersonate everything `imp` asks for, as the API server's
/// impersonation filter checks it (k8s.io/apiserver pkg/endpoints/filters/impersonation.go):
/// verb `impersonate` on `users` (core group) named after the user, on `groups` for each
/// group, on `uids` in `authentication.k8s.io` for the uid. The refusal is worded as the
/// RBAC authorizer words it.
pub fn check_impersonation(user: &User, imp: &Impersonation) -> Result<(), String> {
    let mut asks = vec![("", "users", imp.user.clone())];
    asks.extend(imp.groups.iter().map(|g| ("", "groups", g.clone())));
    if !imp.uid.is_empty() {
        asks.push(("authentication.k8s.io", "uids", imp.uid.clone()));
    }
    for (group, resource, name) in asks {
        let allowed = user.allows(&Attributes {
            verb: "impersonate".into(),
            group: group.into(),
            resource: resource.into(),
            name: name.clone(),
            ..Default::default()
        });
        if !allowed {
            let qualified = if group.is_empty() {
                resource.to_string()
            } else {
                format!("{resource}.{group}")
            };
            return Err(format!(
                "{qualified} \"{name}\" is forbidden: User \"{}\" cannot impersonate resource \"{resource}\" in API group \"{group}\" at the cluster scope",
                user.name
            ));
        }
    }
    Ok(())
}

/// The users every simulator knows unless a scenario redefines them:
/// `admin` (everything), `viewer` (get/list/watch everything), `alice` (reads KubeVirt and its
/// snapshots, may not create snapshots or restores).
pub fn builtin_users() -> Vec<User> {
    let read = || vec!["get".to_string(), "list".into(), "watch".into()];
    vec![
        User::new(
            "admin",
            vec![Rule {
                verbs: star(),
                ..Default::default()
            }],
        ),
        User::new(
            "viewer",
            vec![Rule {
                verbs: read(),
                ..Default::default()
            }],
        ),
        User::new(
            "alice",
            vec![Rule {
                verbs: read(),
                api_groups: vec![
                    "kubevirt.io".into(),
                    "snapshot.kubevirt.io".into(),
                    "cdi.kubevirt.io".into(),
                    "".into(),
                    "snapshot.storage.k8s.io".into(),
                    "storage.k8s.io".into(),
                ],
                ..Default::default()
            }],
        ),
    ]
}

/// Answer a SelfSubjectAccessReview body for `user`.
pub fn review(user: &User, body: &Value) -> Value {
    let spec = body.get("spec").cloned().unwrap_or(json!({}));
    let allowed = match spec.get("resourceAttributes") {
        Some(ra) => {
            let s = |k: &str| ra.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let ns = s("namespace");
            user.allows(&Attributes {
                verb: s("verb"),
                group: s("group"),
                resource: s("resource"),
                subresource: s("subresource"),
                namespace: if ns.is_empty() { None } else { Some(ns) },
                name: s("name"),
            })
        }
        // Non-resource URLs (/version, /apis, ...) are open to every authenticated user.
        None => true,
    };
    let mut status = json!({ "allowed": allowed });
    if allowed {
        status["reason"] = json!(format!(
            "RBAC: allowed by simulated rules of user \"{}\"",
            user.name
        ));
    }
    json!({
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": { "creationTimestamp": null },
        "spec": spec,
        "status": status,
    })
}

/// Answer a SelfSubjectRulesReview (`kubectl auth can-i --list`): the user's rules that
/// apply in `spec.namespace`.
pub fn rules_review(user: &User, body: &Value) -> Value {
    let spec = body.get("spec").cloned().unwrap_or(json!({}));
    let ns = spec.get("namespace").and_then(Value::as_str).unwrap_or("");
    let resource_rules: Vec<Value> = user
        .rules
        .iter()
        .filter(|r| match &r.namespaces {
            None => true,
            Some(list) => list.iter().any(|n| n == "*" || (!ns.is_empty() && n == ns)),
        })
        .map(|r| {
            let mut v =
                json!({ "verbs": r.verbs, "apiGroups": r.api_groups, "resources": r.resources });
            if let Some(names) = &r.resource_names {
                v["resourceNames"] = json!(names);
            }
            v
        })
        .collect();
    json!({
        "kind": "SelfSubjectRulesReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": { "creationTimestamp": null },
        "spec": spec,
        "status": {
            "resourceRules": resource_rules,
            "nonResourceRules": [{ "verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/version", "/openapi", "/openapi/*"] }],
            "incomplete": false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(verb: &str, group: &str, resource: &str, ns: Option<&str>) -> Attributes {
        Attributes {
            verb: verb.into(),
            group: group.into(),
            resource: resource.into(),
            namespace: ns.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn alice_reads_but_cannot_create_snapshots() {
        let alice = builtin_users()
            .into_iter()
            .find(|u| u.name == "alice")
            .unwrap();
        assert!(alice.allows(&attrs(
            "list",
            "snapshot.kubevirt.io",
            "virtualmachinesnapshots",
            Some("prod")
        )));
        assert!(!alice.allows(&attrs(
            "create",
            "snapshot.kubevirt.io",
            "virtualmachinesnapshots",
            Some("prod")
        )));
    }

    #[test]
    fn impersonation_needs_the_impersonate_verb_on_each_thing_asked() {
        let users = builtin_users();
        let find = |n: &str| users.iter().find(|u| u.name == n).unwrap().clone();
        let imp = Impersonation {
            user: "alice".into(),
            groups: vec!["devs".into()],
            uid: "42".into(),
        };
        assert_eq!(check_impersonation(&find("admin"), &imp), Ok(()));
        assert_eq!(
            check_impersonation(&find("viewer"), &imp).unwrap_err(),
            "users \"alice\" is forbidden: User \"viewer\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
        );
        let only_users = User::new(
            "bob",
            vec![Rule {
                verbs: vec!["impersonate".into()],
                api_groups: vec!["".into()],
                resources: vec!["users".into()],
                ..Default::default()
            }],
        );
        let e = check_impersonation(&only_users, &imp).unwrap_err();
        assert!(e.starts_with("groups \"devs\" is forbidden"), "{e}");
    }

    #[test]
    fn namespaced_rules_do_not_reach_the_cluster_scope() {
        let u = User::new(
            "u",
            vec![Rule {
                verbs: star(),
                namespaces: Some(vec!["dev".into()]),
                ..Default::default()
            }],
        );
        assert!(u.allows(&attrs("get", "", "secrets", Some("dev"))));
        assert!(!u.allows(&attrs("get", "", "secrets", Some("prod"))));
        assert!(!u.allows(&attrs("list", "", "secrets", None)));
    }

    #[test]
    fn subresources_need_their_own_rule() {
        let u = User::new(
            "u",
            vec![Rule {
                verbs: star(),
                api_groups: star(),
                resources: vec!["virtualmachines".into()],
                ..Default::default()
            }],
        );
        let mut a = attrs(
            "update",
            "subresources.kubevirt.io",
            "virtualmachines",
            Some("x"),
        );
        a.subresource = "start".into();
        assert!(!u.allows(&a));
    }
}
