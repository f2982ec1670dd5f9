//! KubeVirt's webhooks for VirtualMachineClones (virt-api): the mutating one that names a
//! missing target (`mutators/clone-create-mutator.go`) and the validating one that refuses
//! what the clone controller cannot do (`admitters/vmclone-admitter.go`).

use serde_json::{Value, json};

use super::admission::{Denial, Operation};
use super::str_at;
use crate::schema::Cause;
use crate::store::Gvr;

const GROUP: &str = "clone.kubevirt.io";
const PLURAL: &str = "virtualmachineclones";
/// The validating webhook's name in KubeVirt's ValidatingWebhookConfiguration.
pub(crate) const VALIDATOR: &str = "vm-clone-validator.kubevirt.io";

/// Kubernetes' `rand.String` alphabet (no vowels, no confusable digits).
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn is_clone(gvr: &Gvr) -> bool {
    gvr.group == GROUP && gvr.plural == PLURAL
}

/// Five characters of `rand.String` drawn from `seed`.
pub(crate) fn random_suffix(seed: &str) -> String {
    let mut h = seed.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (0..5)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// The target name the mutator gives a clone of `source`: `clone-<source>-<5 chars>`.
pub(crate) fn generated_target_name(source: &str, seed: &str) -> String {
    format!("clone-{source}-{}", random_suffix(seed))
}

/// On create, a clone without a target gets a `kubevirt.io` VirtualMachine target, and a
/// target without a name gets one, as `mutateClone` does.
pub fn mutate(gvr: &Gvr, op: Operation, obj: &mut Value) {
    if !is_clone(gvr) || op != Operation::Create {
        return;
    }
    let source = str_at(obj, "/spec/source/name").unwrap_or("").to_string();
    let seed = format!(
        "{}/{}/{}",
        str_at(obj, "/metadata/namespace").unwrap_or(""),
        str_at(obj, "/metadata/name").unwrap_or(""),
        jiff::Timestamp::now().as_nanosecond()
    );
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    match spec.get_mut("target").and_then(Value::as_object_mut) {
        None => {
            spec.insert(
                "target".into(),
                json!({"apiGroup": "kubevirt.io", "kind": "VirtualMachine",
                    "name": generated_target_name(&source, &seed)}),
            );
        }
        Some(target) => {
            if target
                .get("name")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                target.insert("name".into(), json!(generated_target_name(&source, &seed)));
            }
        }
    }
}

fn invalid(message: impl Into<String>, field: &str) -> Cause {
    Cause {
        field: field.into(),
        reason: "FieldValueInvalid".into(),
        message: message.into(),
    }
}

/// The validating webhook on create and update; `None` for other kinds.
pub fn admit(gvr: &Gvr, obj: &Value) -> Option<Result<(), Denial>> {
    if !is_clone(gvr) {
        return None;
    }
    let causes = causes(obj);
    Some(if causes.is_empty() {
        Ok(())
    } else {
        Err(Denial {
            webhook: VALIDATOR,
            causes,
        })
    })
}

fn causes(obj: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    for (ptr, field) in [
        ("/spec/annotationFilters", "spec.annotations"),
        ("/spec/labelFilters", "spec.labels"),
        (
            "/spec/template/annotationFilters",
            "spec.template.annotations",
        ),
        ("/spec/template/labelFilters", "spec.template.labels"),
    ] {
        filter_causes(obj.pointer(ptr), field, &mut causes);
    }
    let source_kind = str_at(obj, "/spec/source/kind").unwrap_or("");
    if !matches!(source_kind, "VirtualMachine" | "VirtualMachineSnapshot") {
        causes.push(invalid("Source kind is not supported", "spec.Source.Kind"));
    }
    let target = obj.pointer("/spec/target").filter(|t| t.is_object());
    let target_kind = target.and_then(|t| str_at(t, "/kind"));
    if target.is_some() && target_kind != Some("VirtualMachine") {
        causes.push(invalid("Target kind is not supported", "spec.Target.Kind"));
    }
    match obj.pointer("/spec/source").filter(|s| s.is_object()) {
        None => causes.push(invalid("Source cannot be nil", "spec.Source")),
        Some(source) => {
            if str_at(source, "/apiGroup").is_none_or(str::is_empty) {
                causes.push(invalid(
                    "Source's APIGroup cannot be empty",
                    "spec.Source.APIGroup",
                ));
            }
            if source_kind.is_empty() {
                causes.push(invalid("Source's Kind cannot be empty", "spec.Source"));
            }
            let source_name = str_at(source, "/name").unwrap_or("");
            if source_name.is_empty() {
                causes.push(invalid("Source's name cannot be empty", "spec.Source.Name"));
            }
            if source_kind == "VirtualMachine"
                && target_kind == Some("VirtualMachine")
                && target.and_then(|t| str_at(t, "/name")).unwrap_or("") == source_name
            {
                causes.push(invalid(
                    "Target name cannot be equal to source name when both are VirtualMachines",
                    "spec.target.name",
                ));
            }
        }
    }
    causes
}

/// `validateFilters`: `!` only first, `*` only last, a lone `!` is no filter.
fn filter_causes(filters: Option<&Value>, field: &str, causes: &mut Vec<Cause>) {
    for filter in filters
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if filter.chars().count() <= 1 {
            if filter == "!" {
                causes.push(invalid("a negation character is not a valid filter", field));
            }
            continue;
        }
        let rule = |what: &str, ch: char, why: &str| {
            invalid(
                format!(
                    "{field} filter {filter} is invalid: cannot contain a {what} character ({ch}); FilterRules: {why}"
                ),
                field,
            )
        };
        if filter[1..].contains('!') {
            causes.push(rule(
                "negation",
                '!',
                "NegationChar can be only used at the beginning of the filter",
            ));
        }
        if filter[..filter.len() - 1].contains('*') {
            causes.push(rule(
                "wildcard",
                '*',
                "WildcardChar can be only at the end of the filter",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clone_gvr() -> Gvr {
        Gvr::new(GROUP, "v1beta1", PLURAL)
    }

    #[test]
    fn mutator_fills_a_missing_target_and_keeps_a_given_one() {
        let mut c = json!({"metadata": {"name": "c", "namespace": "p"},
            "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "db"}}});
        mutate(&clone_gvr(), Operation::Create, &mut c);
        assert_eq!(c["spec"]["target"]["kind"], "VirtualMachine");
        assert_eq!(c["spec"]["target"]["apiGroup"], "kubevirt.io");
        let name = c["spec"]["target"]["name"].as_str().expect("named");
        assert!(name.starts_with("clone-db-") && name.len() == "clone-db-".len() + 5);
        let mut kept = json!({"spec": {"source": {"name": "db"}, "target": {"kind": "VirtualMachine", "name": "x"}}});
        mutate(&clone_gvr(), Operation::Create, &mut kept);
        assert_eq!(kept["spec"]["target"]["name"], "x");
    }

    #[test]
    fn filters_with_misplaced_wildcards_are_refused() {
        let mut causes = Vec::new();
        filter_causes(
            Some(&json!(["*", "!a/*", "a*b", "a!b", "!"])),
            "spec.labels",
            &mut causes,
        );
        let messages: Vec<&str> = causes.iter().map(|c| c.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("filter a*b is invalid: cannot contain a wildcard"));
        assert!(messages[1].contains("filter a!b is invalid: cannot contain a negation"));
        assert_eq!(messages[2], "a negation character is not a valid filter");
    }
}
