//! Kubernetes access: connecting, discovery and waiting.

pub mod answers;
pub mod bounds;
pub mod compact;
pub mod connect;
pub mod credentials;
pub mod discovery;
pub mod events;
pub mod exec_plugin;

pub mod json;
pub mod kinds;
pub mod objects;
pub mod overrides;
pub mod policy;
pub mod proxy;
pub mod transport;
pub mod wait;
pub mod wait_many;
pub mod warnings;

pub use connect::{Connection, connect};
pub use discovery::{ServedGroup, served_groups};
pub use kinds::{ObjectKind, Objects};
pub use objects::{
    FIELD_MANAGER, LIST_PAGE_SIZE, SNAPSHOT_LIST_PAGE_SIZE, check_identity, delete_exact,
    dynamic_api, for_each_page, get_exact, list_all, list_all_as, list_all_versioned,
    list_all_with, list_params, path_segment, require_deleted, to_value, walk_pages,
    walk_raw_pages, where_,
};
pub use wait::{Step, WaitOptions, WaitResult, wait_for, wait_json};
pub use wait_many::{Ended, ManyResult, wait_for_many};

/// Helpers the cluster modules' tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::BTreeMap;

    /// An environment (variable → value) of `pairs`.
    pub(crate) fn env_vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    pub(crate) fn uri(s: &str) -> http::Uri {
        s.parse().unwrap()
    }
}
