//! The one typed get/list/create/patch/delete of the three platform clients: a handle keyed
//! by a platform's own `Kind` enum, over the dynamic calls of [`super::objects`].

use std::collections::BTreeSet;

use anyhow::Result;
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject};
use serde_json::Value;

use super::objects::{self, LIST_PAGE_SIZE, dynamic_api};

/// A kind of object a platform reads or writes: where the API serves it, and whether it
/// lives in a namespace.
pub trait ObjectKind: Copy {
    /// What the address of a kind depends on besides the kind: the versions discovery chose.
    type Versions: Copy;

    /// The kind's plural, group and served version.
    fn resource(self, versions: &Self::Versions) -> ApiResource;

    /// False for a cluster-scoped kind: it is addressed without a namespace, whatever the
    /// caller passes.
    fn namespaced(self) -> bool;
}

/// A client bound to the versions one platform is served at; every call names its object in
/// a lowercase "failed to …" context ([`objects`]).
#[derive(Clone)]
pub struct Objects<K: ObjectKind> {
    client: Client,
    versions: K::Versions,
}

impl<K: ObjectKind> Objects<K> {
    pub fn new(client: Client, versions: K::Versions) -> Self {
        Objects { client, versions }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn versions(&self) -> K::Versions {
        self.versions
    }

    /// The `ApiResource` of `kind` at the served version.
    pub fn resource(&self, kind: K) -> ApiResource {
        kind.resource(&self.versions)
    }

    /// An API handle for `kind`; `ns: None` on a namespaced kind addresses all namespaces.
    pub fn api(&self, kind: K, ns: Option<&str>) -> Api<DynamicObject> {
        dynamic_api(&self.client, &self.resource(kind), scope(kind, ns))
    }

    /// GET one object; None on 404; refused when the answer is another object.
    pub async fn get(&self, kind: K, ns: &str, name: &str) -> Result<Option<Value>> {
        objects::get(
            &self.client,
            &self.resource(kind),
            scope(kind, Some(ns)),
            name,
        )
        .await
    }

    /// A full (paginated) list of `kind` in one namespace or all of them, with a label
    /// `selector` when given.
    pub async fn list(
        &self,
        kind: K,
        ns: Option<&str>,
        selector: Option<&str>,
    ) -> Result<Vec<Value>> {
        let ar = self.resource(kind);
        objects::list(&self.client, &ar, scope(kind, ns), selector, LIST_PAGE_SIZE).await
    }

    /// The names of the objects of `kind` in `ns` with a label `selector`, nothing else of
    /// them kept ([`objects::list_names`]).
    pub async fn names(
        &self,
        kind: K,
        ns: Option<&str>,
        selector: Option<&str>,
    ) -> Result<BTreeSet<String>> {
        objects::list_names(
            &self.client,
            &self.resource(kind),
            scope(kind, ns),
            selector,
        )
        .await
    }

    /// Every object of `kind` in `ns` as `row` makes it (None leaves it out), converted page
    /// by page ([`objects::list_rows`]).
    pub async fn list_rows<R>(
        &self,
        kind: K,
        ns: Option<&str>,
        row: impl FnMut(&Value) -> Option<R>,
    ) -> Result<Vec<R>> {
        objects::list_rows(
            &self.client,
            &self.resource(kind),
            scope(kind, ns),
            None,
            row,
        )
        .await
    }

    /// POSTs an object of `kind` (its namespace from metadata); `dry_run` asks the server to
    /// validate without persisting (`dryRun=All`).
    pub async fn create(&self, kind: K, obj: Value, dry_run: bool) -> Result<Value> {
        objects::create(&self.client, &self.resource(kind), obj, dry_run).await
    }

    /// A JSON merge patch of `name`.
    pub async fn patch_merge(
        &self,
        kind: K,
        ns: &str,
        name: &str,
        patch: &Value,
        dry_run: bool,
    ) -> Result<Value> {
        let ar = self.resource(kind);
        objects::patch_merge(
            &self.client,
            &ar,
            scope(kind, Some(ns)),
            name,
            patch,
            dry_run,
        )
        .await
    }

    /// DELETEs `name`; with `uid`, only that exact object. Ok(false) when it was already gone.
    pub async fn delete(
        &self,
        kind: K,
        ns: &str,
        name: &str,
        uid: Option<&str>,
        dry_run: bool,
    ) -> Result<bool> {
        let ar = self.resource(kind);
        objects::delete(&self.client, &ar, scope(kind, Some(ns)), name, uid, dry_run).await
    }
}

/// The namespace a request for `kind` is sent to: none for a cluster-scoped kind.
fn scope<K: ObjectKind>(kind: K, ns: Option<&str>) -> Option<&str> {
    ns.filter(|_| kind.namespaced())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy)]
    enum Fake {
        Namespaced,
        ClusterScoped,
    }

    impl ObjectKind for Fake {
        type Versions = &'static str;

        fn resource(self, version: &&'static str) -> ApiResource {
            match self {
                Fake::Namespaced => objects::api_resource("example.io", version, "Thing", "things"),
                Fake::ClusterScoped => {
                    objects::api_resource("example.io", version, "Global", "globals")
                }
            }
        }

        fn namespaced(self) -> bool {
            matches!(self, Fake::Namespaced)
        }
    }

    #[tokio::test]
    async fn kinds_are_addressed_at_the_served_version_and_cluster_scoped_ones_without_namespace() {
        let config = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
        let objects = Objects::<Fake>::new(Client::try_from(config).unwrap(), "v2");
        let url = |kind, ns| objects.api(kind, ns).resource_url().to_owned();
        assert_eq!(
            url(Fake::Namespaced, Some("prod")),
            "/apis/example.io/v2/namespaces/prod/things"
        );
        assert_eq!(url(Fake::Namespaced, None), "/apis/example.io/v2/things");
        assert_eq!(
            url(Fake::ClusterScoped, Some("prod")),
            "/apis/example.io/v2/globals"
        );
    }
}
