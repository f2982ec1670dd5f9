//! `-o/--output` as a clap value parser: kubectl's format names, with the template of
//! `jsonpath=`/`custom-columns=` (or of the file they name) parsed at once, so a bad template
//! is a usage error before any request.

use std::ffi::OsStr;

use clap::ValueEnum as _;
use clap::builder::{PossibleValue, TypedValueParser};

use crate::output::format::TEMPLATE_PREFIXES;
use crate::output::{OutputFormat, OutputSpec, parse_output};

/// The clap parser of `-o`; its possible values feed help and completion.
#[derive(Debug, Clone, Copy)]
pub struct OutputParser;

impl TypedValueParser for OutputParser {
    type Value = OutputSpec;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<OutputSpec, clap::Error> {
        let text = value
            .to_str()
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8).with_cmd(cmd))?;
        parse_output(text).map_err(|why| {
            let arg = arg.map_or_else(|| "--output".to_string(), ToString::to_string);
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value '{text}' for '{arg}': {why}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let plain = OutputFormat::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value());
        let templates = TEMPLATE_PREFIXES.map(|(name, help)| PossibleValue::new(name).help(help));
        Some(Box::new(plain.chain(templates)))
    }
}
