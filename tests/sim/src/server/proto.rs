//! Just enough Kubernetes protobuf to read what kubectl's typed clients send: the `k8s\0`
//! envelope and a SelfSubjectAccessReview (`kubectl auth can-i`). Answers are always JSON.

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

/// Decode a protobuf-encoded body into the JSON the handlers expect; None if unsupported.
pub fn decode(body: &[u8]) -> Option<Value> {
    let inner = body.strip_prefix(b"k8s\0")?;
    let envelope = fields(inner)?;
    let type_meta = fields(bytes_of(&envelope, 1)?)?;
    let api_version = String::from_utf8_lossy(bytes_of(&type_meta, 1)?).into_owned();
    let kind = String::from_utf8_lossy(bytes_of(&type_meta, 2)?).into_owned();
    let raw = bytes_of(&envelope, 2)?;
    if kind != "SelfSubjectAccessReview" {
        return None;
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
}
