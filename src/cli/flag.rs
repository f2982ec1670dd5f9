//! kubectl's boolean flags: `--wait`, `--wait=false`, `-A=true`, as pflag parses them.
//!
//! pflag gives a bool flag `NoOptDefVal = "true"`: the bare flag means true, a value must be
//! attached with `=` (so `-A false` leaves `false` to the positional), and the value is read
//! by Go's `strconv.ParseBool`. [`kubectl_bool`] turns a clap switch into that form; the
//! `Cli` applies it to every argument, so a new switch cannot miss it.

use std::any::TypeId;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Arg, ArgAction, Command};

/// What Go's `strconv.ParseBool` reads as true.
const TRUE: [&str; 6] = ["true", "1", "t", "T", "TRUE", "True"];
/// What it reads as false.
const FALSE: [&str; 6] = ["false", "0", "f", "F", "FALSE", "False"];

/// A bool value spelled as `strconv.ParseBool` accepts it; help and completion offer only
/// `true` and `false`.
pub fn bool_parser() -> impl TypedValueParser<Value = bool> {
    let values = TRUE.iter().chain(FALSE.iter()).map(|v| {
        let shown = *v == "true" || *v == "false";
        PossibleValue::new(*v).hide(!shown)
    });
    PossibleValuesParser::new(values).map(|v: String| TRUE.contains(&v.as_str()))
}

/// Whether `arg` holds a bool: a switch, or a flag that takes a bool value.
pub fn is_bool(arg: &Arg) -> bool {
    match arg.get_action() {
        ArgAction::SetTrue => true,
        ArgAction::Set => arg.get_value_parser().type_id() == TypeId::of::<bool>(),
        _ => false,
    }
}

/// `arg` in kubectl's boolean form when it holds a bool; anything else unchanged. A switch
/// defaults to false; an `Option<bool>` flag (`--wait`, whose absence means "the command's
/// default") keeps no default.
pub fn kubectl_bool(arg: Arg) -> Arg {
    if !is_bool(&arg) {
        return arg;
    }
    let switch = matches!(arg.get_action(), ArgAction::SetTrue);
    let arg = arg
        .action(ArgAction::Set)
        .num_args(0..=1)
        .require_equals(true)
        .default_missing_value("true")
        .value_parser(bool_parser())
        .value_name("BOOL");
    if switch {
        // `--stop[=<BOOL>]` says enough in --help; the list of values would repeat it.
        arg.default_value("false")
            .hide_default_value(true)
            .hide_possible_values(true)
    } else {
        arg
    }
}

/// [`kubectl_bool`] on every argument of `cmd` and of its subcommands.
pub fn kubectl_bools(cmd: Command) -> Command {
    cmd.mut_args(kubectl_bool).mut_subcommands(kubectl_bools)
}
