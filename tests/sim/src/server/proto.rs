//! Just enough Kubernetes protobuf to read what kubectl's typed clients send: the `k8s\0`
//! envelope, SelfSubjectAccessReview (`kubectl auth can-i`), Namespace and Secret
//! (`kubectl create namespace|secret`). Answers are always JSON.

use serde_json::{Map, Value, json};

enum Field<'a> {
    Varint,
    Bytes(&'a [u8]),
}

fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos)?;
        *pos += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(out);
        }
    }
    None
}

fn fields(buf: &[u8]) -> Option<Vec<(u64, Field<'_>)>> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let (num, wire) = (key >> 3, key & 7);
        let f = match wire {
            0 => {
                varint(buf, &mut pos)?;
                Field::Varint
            }
            1 => {
                pos += 8;
                continue;
            }
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?).ok()?;
                let s = buf.get(pos..pos + len)?;
                pos += len;
                Field::Bytes(s)
            }
            5 => {
                pos += 4;
                continue;
            }
            _ => return None,
        };
        out.push((num, f));
    }
    Some(out)
}

fn bytes_of<'a>(fs: &[(u64, Field<'a>)], num: u64) -> Option<&'a [u8]> {
    fs.iter().find_map(|(n, f)| match f {
        Field::Bytes(b) if *n == num => Some(*b),
        _ => None,
    })
}

fn string_map(buf: &[u8], names: &[&str]) -> Option<Value> {
    let fs = fields(buf)?;
    let mut m = Map::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(b) = bytes_of(&fs, i as u64 + 1) {
            m.insert(
                (*name).into(),
                Value::String(String::from_utf8_lossy(b).into_owned()),
            );
        }
    }
    Some(Value::Object(m))
}

fn strings_of(fs: &[(u64, Field<'_>)], num: u64) -> Vec<Value> {
    fs.iter()
        .filter_map(|(n, f)| match f {
            Field::Bytes(b) if *n == num => {
                Some(Value::String(String::from_utf8_lossy(b).into_owned()))
            }
            _ => None,
        })
        .collect()
}

/// A protobuf map field (repeated entries of key=1, value=2); values as strings or base64.
fn map_of(fs: &[(u64, Field<'_>)], num: u64, base64_values: bool) -> Option<Value> {
    let mut m = Map::new();
    for (n, f) in fs {
        if let Field::Bytes(entry) = f
            && *n == num
        {
            let e = fields(entry)?;
            let key = String::from_utf8_lossy(bytes_of(&e, 1).unwrap_or(&[])).into_owned();
            let raw = bytes_of(&e, 2).unwrap_or(&[]);
            let value = if base64_values {
                super::tls::base64(raw)
            } else {
                String::from_utf8_lossy(raw).into_owned()
            };
            m.insert(key, Value::String(value));
        }
    }
    Some(Value::Object(m))
}

/// ObjectMeta: the fields a client sets on create.
fn object_meta(buf: &[u8]) -> Option<Value> {
    let fs = fields(buf)?;
    let mut m = Map::new();
    for (num, name) in [(1, "name"), (2, "generateName"), (3, "namespace")] {
        if let Some(b) = bytes_of(&fs, num).filter(|b| !b.is_empty()) {
            m.insert(
                name.into(),
                Value::String(String::from_utf8_lossy(b).into_owned()),
            );
        }
    }
    let labels = map_of(&fs, 11, false)?;
    if labels.as_object().is_some_and(|l| !l.is_empty()) {
        m.insert("labels".into(), labels);
    }
    let annotations = map_of(&fs, 12, false)?;
    if annotations.as_object().is_some_and(|a| !a.is_empty()) {
        m.insert("annotations".into(), annotations);
    }
    let finalizers = strings_of(&fs, 14);
    if !finalizers.is_empty() {
        m.insert("finalizers".into(), Value::Array(finalizers));
    }
    Some(Value::Object(m))
}

/// Decode a protobuf-encoded body into the JSON the handlers expect; None if unsupported.
pub fn decode(body: &[u8]) -> Option<Value> {
    let inner = body.strip_prefix(b"k8s\0")?;
    let envelope = fields(inner)?;
    let type_meta = fields(bytes_of(&envelope, 1)?)?;
    let api_version = String::from_utf8_lossy(bytes_of(&type_meta, 1)?).into_owned();
    let kind = String::from_utf8_lossy(bytes_of(&type_meta, 2)?).into_owned();
    let raw = bytes_of(&envelope, 2)?;
    match kind.as_str() {
        "Namespace" => {
            let ns = fields(raw)?;
            let mut out = json!({ "apiVersion": api_version, "kind": kind, "metadata": object_meta(bytes_of(&ns, 1).unwrap_or(&[]))? });
            if let Some(spec) = bytes_of(&ns, 2) {
                out["spec"] = json!({ "finalizers": strings_of(&fields(spec)?, 1) });
            }
            return Some(out);
        }
        "Secret" => {
            let s = fields(raw)?;
            let mut out = json!({ "apiVersion": api_version, "kind": kind, "metadata": object_meta(bytes_of(&s, 1).unwrap_or(&[]))? });
            out["data"] = map_of(&s, 2, true)?;
            if let Some(t) = bytes_of(&s, 3) {
                out["type"] = Value::String(String::from_utf8_lossy(t).into_owned());
            }
            let string_data = map_of(&s, 4, false)?;
            if string_data.as_object().is_some_and(|m| !m.is_empty()) {
                out["stringData"] = string_data;
            }
            return Some(out);
        }
        "SelfSubjectAccessReview" => {}
        "SelfSubjectRulesReview" => {
            let r = fields(raw)?;
            let spec = fields(bytes_of(&r, 2).unwrap_or(&[]))?;
            let ns = String::from_utf8_lossy(bytes_of(&spec, 1).unwrap_or(&[])).into_owned();
            return Some(
                json!({ "apiVersion": api_version, "kind": kind, "spec": { "namespace": ns } }),
            );
        }
        _ => return None,
    }
    let ssar = fields(raw)?;
    let spec = fields(bytes_of(&ssar, 2).unwrap_or(&[]))?;
    let mut spec_json = json!({});
    if let Some(ra) = bytes_of(&spec, 1) {
        spec_json["resourceAttributes"] = string_map(
            ra,
            &[
                "namespace",
                "verb",
                "group",
                "version",
                "resource",
                "subresource",
                "name",
            ],
        )?;
    }
    if let Some(nra) = bytes_of(&spec, 2) {
        spec_json["nonResourceAttributes"] = string_map(nra, &["path", "verb"])?;
    }
    Some(json!({ "apiVersion": api_version, "kind": kind, "spec": spec_json }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(num: u8, data: &[u8]) -> Vec<u8> {
        let mut v = vec![(num << 3) | 2, data.len() as u8];
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn a_self_subject_access_review_decodes() {
        let ra = [
            field(1, b"prod"),
            field(2, b"create"),
            field(3, b"snapshot.kubevirt.io"),
            field(5, b"virtualmachinesnapshots"),
        ]
        .concat();
        let spec = field(1, &ra);
        let ssar = [field(1, &[]), field(2, &spec)].concat();
        let tm = [
            field(1, b"authorization.k8s.io/v1"),
            field(2, b"SelfSubjectAccessReview"),
        ]
        .concat();
        let body = [b"k8s\0".to_vec(), field(1, &tm), field(2, &ssar)].concat();
        let v = decode(&body).unwrap();
        assert_eq!(v["spec"]["resourceAttributes"]["verb"], "create");
        assert_eq!(
            v["spec"]["resourceAttributes"]["resource"],
            "virtualmachinesnapshots"
        );
    }

    #[test]
    fn a_secret_decodes_with_base64_data_and_labels() {
        let label = [field(1, b"app"), field(2, b"db")].concat();
        let meta = [field(1, b"s1"), field(3, b"prod"), field(11, &label)].concat();
        let entry = [field(1, b"k"), field(2, b"v")].concat();
        let secret = [field(1, &meta), field(2, &entry), field(3, b"Opaque")].concat();
        let tm = [field(1, b"v1"), field(2, b"Secret")].concat();
        let body = [b"k8s\0".to_vec(), field(1, &tm), field(2, &secret)].concat();
        let v = decode(&body).unwrap();
        assert_eq!(
            v["metadata"],
            json!({"name": "s1", "namespace": "prod", "labels": {"app": "db"}})
        );
        assert_eq!(v["data"]["k"], "dg==");
        assert_eq!(v["type"], "Opaque");
    }
}
