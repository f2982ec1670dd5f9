//! `-L key` and `--show-labels` columns, as kubectl's table printer adds them after every other
//! column (k8s.io/cli-runtime/pkg/printers/tableprinter.go: decorateTable).

use std::collections::BTreeMap;

/// The label columns a list was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelColumns {
    /// `-L` keys, in the order given.
    pub keys: Vec<String>,
    /// `--show-labels`: a final LABELS column.
    pub show_all: bool,
}

impl LabelColumns {
    /// The columns for `-L keys` and `--show-labels`; empty keys are dropped.
    pub fn new(keys: &[String], show_all: bool) -> Self {
        LabelColumns {
            keys: keys
                .iter()
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            show_all,
        }
    }

    /// Headers to append: the part of each key after its last `/`, upper-cased (kubectl's
    /// formatLabelHeaders), then LABELS.
    pub fn headers(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .keys
            .iter()
            .map(|k| k.rsplit('/').next().unwrap_or(k).to_uppercase())
            .collect();
        if self.show_all {
            out.push("LABELS".to_string());
        }
        out
    }

    /// Cells to append for an object with `labels`: each key's value (empty when the object
    /// lacks it, as kubectl prints it), then every label as `k=v,k=v` or `<none>`.
    pub fn cells(&self, labels: &BTreeMap<String, String>) -> Vec<String> {
        let mut out: Vec<String> = self
            .keys
            .iter()
            .map(|k| labels.get(k).cloned().unwrap_or_default())
            .collect();
        if self.show_all {
            out.push(format_labels(labels));
        }
        out
    }

    /// No label column asked for.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && !self.show_all
    }
}

/// Labels as apimachinery's labels.FormatLabels prints them: sorted `k=v` joined by `,`, or
/// `<none>`.
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "<none>".to_string();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_columns_are_named_after_the_last_key_segment_and_blank_when_absent() {
        let cols = LabelColumns::new(&["app.kubernetes.io/name".into(), "tier".into()], true);
        assert_eq!(cols.headers(), ["NAME", "TIER", "LABELS"]);
        let l = labels(&[("tier", "db"), ("app.kubernetes.io/name", "erp")]);
        assert_eq!(
            cols.cells(&l),
            ["erp", "db", "app.kubernetes.io/name=erp,tier=db"]
        );
        assert_eq!(cols.cells(&BTreeMap::new()), ["", "", "<none>"]);
        assert!(LabelColumns::new(&[" ".into()], false).is_empty());
    }
}
