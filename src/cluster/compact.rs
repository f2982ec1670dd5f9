//! Objects held as compact JSON text, for commands that read a whole fleet before they
//! analyse it: a `serde_json::Value` tree allocates a map for every small JSON object (a few
//! hundred bytes each, tens per VM), the text of the same object is a tenth of that.

use serde::Deserialize;
use serde_json::Value;

use super::json::{name, namespace};

/// One object as read (minus what no caller reads), parsed back on demand.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "Value")]
pub struct CompactObject {
    namespace: String,
    name: String,
    json: Box<str>,
}

/// Drops what no caller reads: `managedFields` alone is often half of an object, and the
/// last-applied annotation repeats the spec.
fn strip_unread(obj: &mut Value) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
        if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            ann.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
    }
}

impl From<Value> for CompactObject {
    fn from(mut obj: Value) -> Self {
        strip_unread(&mut obj);
        CompactObject {
            namespace: namespace(&obj).to_owned(),
            name: name(&obj).to_owned(),
            json: obj.to_string().into_boxed_str(),
        }
    }
}

impl CompactObject {
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `(namespace, name)`, the key fleets join on.
    pub fn key(&self) -> (String, String) {
        (self.namespace.clone(), self.name.clone())
    }

    /// The object as JSON. The text is serde_json's own output, so it always parses; Null
    /// would only stand for an object that could never have been read.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.json).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_object_parses_back_as_read_without_managed_fields() {
        let read = json!({"metadata": {"namespace": "a", "name": "db",
            "managedFields": [{"manager": "kubectl"}],
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "keep": "me"}},
            "spec": {"volumes": [{"name": "root", "dataVolume": {"name": "db-root"}}]},
            "status": {"n": 1.5}});
        let obj: CompactObject = serde_json::from_value(read.clone()).unwrap();
        assert_eq!((obj.namespace(), obj.name()), ("a", "db"));
        let mut want = read;
        let meta = want["metadata"].as_object_mut().unwrap();
        meta.remove("managedFields");
        meta["annotations"] = json!({"keep": "me"});
        assert_eq!(obj.value(), want);
    }

    #[test]
    fn the_text_is_much_smaller_than_the_tree_it_stands_for() {
        // What makes a fleet fit in memory: one VM-shaped object as text is a few hundred
        // bytes, while its tree holds one map per nested object.
        let vm = json!({"metadata": {"namespace": "a", "name": "db", "labels": {"app": "db"}},
            "spec": {"template": {"spec": {"domain": {"devices": {"disks": [
                {"name": "root", "disk": {"bus": "virtio"}}]}}}}}});
        let obj = CompactObject::from(vm);
        assert!(obj.json.len() < 200, "{}", obj.json);
        assert!(!obj.json.contains(' '), "no whitespace: {}", obj.json);
    }
}
