//! The `-o` formats: their names (clap's `ValueEnum` derive gives help, completion and the
//! unknown-format error the same list), and the parsed templates of kubectl's template
//! formats. `cli` parses the flag with them; the printers here read them.

use std::sync::Arc;

use clap::ValueEnum;

use super::custom_columns::Columns;
use super::jsonpath::Template;

/// `-o/--output` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// kubectl-style table
    Table,
    /// table with more columns
    Wide,
    /// the API objects as `kubectl get -o json` prints them (`list`, `describe`); an action's
    /// report otherwise (schema in docs/cli.md)
    Json,
    /// the same as YAML
    Yaml,
    /// resource/name, one per line
    Name,
    /// the plugin's own report (consistency, size, VM state; schema in docs/cli.md) as JSON
    ReportJson,
    /// the plugin's own report as YAML
    ReportYaml,
    /// kubectl's JSONPath template (`jsonpath=`, `jsonpath-file=`)
    #[value(skip)]
    JsonPath,
    /// kubectl's JSONPath template, results as JSON arrays (`jsonpath-as-json=`)
    #[value(skip)]
    JsonPathAsJson,
    /// kubectl's custom columns (`custom-columns=`, `custom-columns-file=`)
    #[value(skip)]
    CustomColumns,
}

impl OutputFormat {
    /// JSON, YAML and names are for programs: no spinners on stderr for them.
    pub fn is_machine(self) -> bool {
        !matches!(self, OutputFormat::Table | OutputFormat::Wide)
    }

    /// The formats that print the API objects of `list` and `describe` (kubectl's printers),
    /// so the commands keep the objects they read.
    pub fn prints_api_objects(self) -> bool {
        matches!(
            self,
            OutputFormat::Json
                | OutputFormat::Yaml
                | OutputFormat::JsonPath
                | OutputFormat::JsonPathAsJson
                | OutputFormat::CustomColumns
        )
    }
}

/// A format and, for the template formats, its parsed template.
#[derive(Debug, Clone)]
pub struct OutputSpec {
    /// The format.
    pub format: OutputFormat,
    /// The template of `jsonpath*` and `custom-columns*`.
    pub template: Option<Arc<OutputTemplate>>,
}

/// The parsed template of a template format.
#[derive(Debug)]
pub enum OutputTemplate {
    /// `jsonpath=`, `jsonpath-as-json=`, `jsonpath-file=`
    JsonPath(Template),
    /// `custom-columns=`, `custom-columns-file=`
    Columns(Columns),
}

impl From<OutputFormat> for OutputSpec {
    fn from(format: OutputFormat) -> Self {
        OutputSpec {
            format,
            template: None,
        }
    }
}

/// kubectl's template formats, in its order.
const TEMPLATE_FORMATS: [&str; 5] = [
    "custom-columns",
    "custom-columns-file",
    "jsonpath",
    "jsonpath-as-json",
    "jsonpath-file",
];

/// The template formats as `-o` values begin, with their help (help and completion).
pub(crate) const TEMPLATE_PREFIXES: [(&str, &str); 5] = [
    (
        "custom-columns=",
        "kubectl's custom columns: HEADER:PATH,HEADER:PATH",
    ),
    (
        "custom-columns-file=",
        "custom columns from a file: a line of headers, a line of paths",
    ),
    (
        "jsonpath=",
        "kubectl's JSONPath template, e.g. {.items[*].metadata.name}",
    ),
    ("jsonpath-as-json=", "the template's results as JSON arrays"),
    ("jsonpath-file=", "a JSONPath template from a file"),
];

/// Parses `-o` values: plain names, and `NAME=TEMPLATE` for the template formats.
pub fn parse_output(value: &str) -> Result<OutputSpec, String> {
    let (name, arg) = match value.split_once('=') {
        Some((n, a)) => (n, Some(a)),
        None => (value, None),
    };
    let read = |path: &str| {
        std::fs::read_to_string(path).map_err(|e| format!("error reading --template {path}, {e}"))
    };
    let template = |text: &str| Template::parse(text).map(OutputTemplate::JsonPath);
    let (format, parsed) = match (name, arg.filter(|a| !a.is_empty())) {
        ("jsonpath" | "jsonpath-as-json" | "jsonpath-file", None) => {
            return Err("template format specified but no template given".to_string());
        }
        ("custom-columns" | "custom-columns-file", None) => {
            return Err("custom-columns format specified but no custom columns given".to_string());
        }
        ("jsonpath", Some(t)) => (OutputFormat::JsonPath, template(t)?),
        ("jsonpath-as-json", Some(t)) => (OutputFormat::JsonPathAsJson, template(t)?),
        ("jsonpath-file", Some(path)) => (OutputFormat::JsonPath, template(&read(path)?)?),
        ("custom-columns", Some(spec)) => (
            OutputFormat::CustomColumns,
            OutputTemplate::Columns(Columns::from_spec(spec)?),
        ),
        ("custom-columns-file", Some(path)) => (
            OutputFormat::CustomColumns,
            OutputTemplate::Columns(Columns::from_file(&read(path)?)?),
        ),
        (_, None) => {
            return OutputFormat::from_str(name, false)
                .map(OutputSpec::from)
                .map_err(|_| unknown(value));
        }
        (_, Some(_)) => return Err(unknown(value)),
    };
    Ok(OutputSpec {
        format,
        template: Some(Arc::new(parsed)),
    })
}

/// kubectl's words for an unknown format, with the formats this plugin allows.
fn unknown(value: &str) -> String {
    let mut allowed: Vec<String> = OutputFormat::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
        .chain(TEMPLATE_FORMATS.map(String::from))
        .collect();
    allowed.sort();
    format!(
        "unable to match a printer suitable for the output format \"{value}\", allowed formats are: {}",
        allowed.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_formats_carry_their_parsed_template() {
        let spec = parse_output("jsonpath={.items[*].metadata.name}").unwrap();
        assert_eq!(spec.format, OutputFormat::JsonPath);
        assert!(matches!(
            spec.template.as_deref(),
            Some(OutputTemplate::JsonPath(_))
        ));
        let spec = parse_output("custom-columns=NAME:.metadata.name").unwrap();
        assert_eq!(spec.format, OutputFormat::CustomColumns);
        assert_eq!(
            parse_output("report-json").unwrap().format,
            OutputFormat::ReportJson
        );
    }

    #[test]
    fn bad_formats_and_templates_say_what_kubectl_says() {
        assert_eq!(
            parse_output("jsonpath").unwrap_err(),
            "template format specified but no template given"
        );
        assert_eq!(
            parse_output("jsonpath={.a").unwrap_err(),
            "error parsing jsonpath {.a, unclosed action"
        );
        let err = parse_output("xml").unwrap_err();
        assert!(
            err.starts_with("unable to match a printer suitable for the output format \"xml\", allowed formats are: custom-columns,custom-columns-file,json,jsonpath"),
            "{err}"
        );
        assert!(
            parse_output("jsonpath-file=/no/such/file")
                .unwrap_err()
                .starts_with("error reading --template /no/such/file, ")
        );
    }
}
