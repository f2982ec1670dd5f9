//! JSON and YAML of the provider-neutral reports (serde_json, serde-saphyr).

use anyhow::Context as _;
use serde::Serialize;

/// Pretty JSON with a trailing newline, like `kubectl get -o json`.
pub fn json<T: Serialize>(value: &T) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(value).context("failed to encode JSON")?;
    s.push('\n');
    Ok(s)
}

/// YAML, one document.
pub fn yaml<T: Serialize>(value: &T) -> anyhow::Result<String> {
    // Through serde_json::Value so both formats see the same tree (timestamps as strings).
    let tree = serde_json::to_value(value).context("failed to encode YAML")?;
    let mut s = serde_saphyr::to_string(&tree).context("failed to encode YAML")?;
    if !s.ends_with('\n') {
        s.push('\n');
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Sample {
        ready_to_use: bool,
        items: Vec<&'static str>,
    }

    #[test]
    fn json_and_yaml_use_camel_case_and_end_in_newline() {
        let s = Sample {
            ready_to_use: true,
            items: vec!["a"],
        };
        let j = json(&s).unwrap();
        assert!(j.ends_with("}\n"));
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["readyToUse"], true);
        let y = yaml(&s).unwrap();
        assert!(y.contains("readyToUse: true"), "{y}");
        assert!(y.ends_with('\n'));
    }
}
