//! The static completion scripts (clap_complete) for the `kubectl-vmsnap` executable, and the
//! `kubectl_complete-vmsnap` helper through which kubectl completes `kubectl vmsnap …`.

use std::io::Write;

use clap::Command;
use clap_complete::Shell;

/// The executable name the static scripts complete.
pub const BIN_NAME: &str = "kubectl-vmsnap";

/// Write the static completion script for `shell`, completing the `kubectl-vmsnap` executable.
///
/// clap's generators only know the executable name; completing `kubectl vmsnap …` goes
/// through kubectl's own completion and the `kubectl_complete-vmsnap` helper instead, as the
/// note appended to every script says.
pub fn generate(shell: Shell, cmd: &mut Command, out: &mut dyn Write) {
    let mut script = Vec::new();
    clap_complete::generate(shell, cmd, BIN_NAME, &mut script);
    if shell == Shell::Bash {
        // clap_complete 4.6 spells a hyphenated bin name two ways in bash
        // (clap-rs/clap#6421): the word loop says kubectl__vmsnap__subcmd__X, the case arms
        // kubectl__subcmd__vmsnap__subcmd__X, so nothing after a subcommand completes.
        // Spell the arms the loop's way.
        let text = String::from_utf8_lossy(&script).replace(
            &BIN_NAME.replace('-', "__subcmd__"),
            &BIN_NAME.replace('-', "__"),
        );
        script = text.into_bytes();
    }
    // A completion script that cannot be written is reported by the caller's flush.
    let _ = out.write_all(&script);
    // Every supported shell treats `#` as a comment; the note goes last so zsh's
    // `#compdef` first line stays first.
    let note = "\n# This completes the kubectl-vmsnap executable. To complete `kubectl vmsnap ...`\n\
                # (kubectl 1.26+), save `kubectl vmsnap completion kubectl-plugin` as an\n\
                # executable kubectl_complete-vmsnap on PATH and load kubectl's own completion;\n\
                # see docs/install.md.\n";
    let _ = out.write_all(note.as_bytes());
}

/// The name kubectl (1.26+) looks up on PATH to complete `kubectl vmsnap …`: the plugin's
/// name with `_complete` inserted before the first `-` (`lookupCompletionExec` in
/// kubernetes/kubectl pkg/cmd/plugin/plugin_completion.go).
pub const HELPER_NAME: &str = "kubectl_complete-vmsnap";

/// The `kubectl_complete-vmsnap` helper for this platform (`completion kubectl-plugin`): the
/// files shipped in `completions/`, a POSIX shell script, or a batch file on Windows.
pub fn kubectl_plugin_helper() -> &'static str {
    if cfg!(windows) {
        include_str!("../../completions/kubectl_complete-vmsnap.cmd")
    } else {
        include_str!("../../completions/kubectl_complete-vmsnap")
    }
}
