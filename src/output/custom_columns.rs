//! kubectl's `-o custom-columns=HEADER:PATH,…` and `custom-columns-file` (kubectl
//! pkg/cmd/get/customcolumn.go): headers as given, one row per item of a list, `<none>` for a
//! path that finds nothing, several values joined by commas in Go's `fmt.Sprint` form.

use serde_json::Value;

use super::go_json;
use super::jsonpath::{Template, relaxed_path};
use super::table::Table;

/// The columns of a custom-columns printer.
#[derive(Debug, Clone)]
pub struct Columns {
    columns: Vec<(String, Template)>,
}

impl Columns {
    /// `custom-columns=NAME:.metadata.name,PHASE:.status.phase`.
    pub fn from_spec(spec: &str) -> Result<Columns, String> {
        if spec.is_empty() {
            return Err("custom-columns format specified but no custom columns given".to_string());
        }
        let columns = spec
            .split(',')
            .map(|part| {
                let (header, path) = part.split_once(':').ok_or_else(|| {
                    format!(
                        "unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
                    )
                })?;
                Ok((header.to_string(), relaxed(path)?))
            })
            .collect::<Result<_, String>>()?;
        Ok(Columns { columns })
    }

    /// `custom-columns-file`: a line of headers, a line of paths, split on whitespace.
    pub fn from_file(text: &str) -> Result<Columns, String> {
        const FORMAT: &str = "Expected format is one line of space separated headers, one line of space separated column specs.";
        let mut lines = text.lines();
        let headers: Vec<&str> = lines
            .next()
            .ok_or_else(|| format!("invalid template, missing header line. {FORMAT}"))?
            .split_whitespace()
            .collect();
        let specs: Vec<&str> = lines
            .next()
            .ok_or_else(|| format!("invalid template, missing spec line. {FORMAT}"))?
            .split_whitespace()
            .collect();
        if headers.len() != specs.len() {
            return Err(format!(
                "number of headers ({}) and field specifications ({}) don't match",
                headers.len(),
                specs.len()
            ));
        }
        let columns = headers
            .into_iter()
            .zip(specs)
            .map(|(h, s)| Ok((h.to_string(), relaxed(s)?)))
            .collect::<Result<_, String>>()?;
        Ok(Columns { columns })
    }

    /// The table for `data`: a row per item of a `…List`, else one row.
    pub fn render(&self, data: &Value, no_headers: bool) -> Result<String, String> {
        let mut table = Table::verbatim(&self.headers());
        let is_list = data["kind"].as_str().is_some_and(|k| k.ends_with("List"));
        let items = match data["items"].as_array() {
            Some(items) if is_list => items.iter().collect(),
            _ => vec![data],
        };
        for item in items {
            table.row(self.cells(item)?);
        }
        Ok(table.render(!no_headers))
    }

    /// The headers, as given.
    pub fn headers(&self) -> Vec<String> {
        self.columns.iter().map(|(h, _)| h.clone()).collect()
    }

    /// One object's row: each column's values joined by commas, `<none>` when its path finds
    /// nothing.
    pub fn cells(&self, item: &Value) -> Result<Vec<String>, String> {
        let mut row = Vec::new();
        for (_, template) in &self.columns {
            let groups = template.results(item)?;
            let mut values = Vec::new();
            if groups.first().is_none_or(Vec::is_empty) {
                values.push("<none>".to_string());
            }
            values.extend(groups.iter().flatten().map(go_json::sprint));
            row.push(values.join(","));
        }
        Ok(row)
    }
}

/// kubectl's RelaxedJSONPathExpression: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`.
fn relaxed(path: &str) -> Result<Template, String> {
    if path.is_empty() {
        return Template::parse("");
    }
    let Some(inner) = relaxed_path(path) else {
        return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".to_string());
    };
    Template::parse(&format!("{{.{inner}}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_per_item_with_none_and_comma_joined_values() {
        let list = json!({"kind": "List", "items": [
            {"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"v": ["p", "q"]}},
            {"metadata": {"name": "bb"}},
        ]});
        let c =
            Columns::from_spec("NAME:.metadata.name,Vols:spec.v[*],L:{.metadata.labels}").unwrap();
        assert_eq!(
            c.render(&list, false).unwrap(),
            "NAME   Vols     L\na      p,q      map[x:1]\nbb     <none>   <none>\n"
        );
    }

    #[test]
    fn bad_specs_are_refused_as_kubectl_words_them() {
        assert_eq!(
            Columns::from_spec("NAME").unwrap_err(),
            "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"
        );
        assert!(Columns::from_spec("").is_err());
        assert!(Columns::from_spec("A:{.a}{.b}").is_err());
        assert!(
            Columns::from_file("A B\n.a\n")
                .unwrap_err()
                .contains("number of headers (2) and field specifications (1)")
        );
        let file = Columns::from_file("NAME  KIND\n.metadata.name kind\n").unwrap();
        assert_eq!(
            file.render(&json!({"kind": "X", "metadata": {"name": "n"}}), true)
                .unwrap(),
            "n     X\n"
        );
    }
}
