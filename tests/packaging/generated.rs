//! Checked-in generated files (completion scripts, man pages) stay equal to what the clap
//! definition generates, and the completion helpers are what kubectl expects.

use std::path::Path;
use std::process::Command;

use clap::CommandFactory;
use clap_complete::Shell;
use kubectl_vmsnap::cli::Cli;
use kubectl_vmsnap::completion::{self, BIN_NAME};

use crate::{assert_no_drift, check_generated, read, root, run_ok};

const SHELLS: [Shell; 4] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell];

fn script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    completion::generate(shell, &mut Cli::command(), &mut out);
    out
}

#[test]
fn completion_scripts_match_the_clap_definition() {
    let drift = SHELLS
        .iter()
        .filter_map(|&shell| {
            let path = root().join("completions").join(file_name(shell));
            check_generated(&path, &script(shell))
        })
        .collect();
    assert_no_drift(drift);
}

#[test]
fn completion_subcommand_prints_the_checked_in_scripts() {
    for (arg, shell) in [
        ("bash", Shell::Bash),
        ("zsh", Shell::Zsh),
        ("fish", Shell::Fish),
        ("powershell", Shell::PowerShell),
    ] {
        let out = run_ok(Command::new(crate::plugin_binary()).args(["completion", arg]));
        let checked_in =
            std::fs::read(root().join("completions").join(file_name(shell))).expect("script");
        assert!(
            out.stdout == checked_in,
            "`kubectl vmsnap completion {arg}` differs from the checked-in script"
        );
    }
}

#[test]
fn static_scripts_offer_no_hidden_commands_because_there_are_none() {
    // clap_complete's static generators list hidden subcommands too, so plumbing such as
    // `__complete` is answered before clap parses (completion::complete_request).
    let hidden: Vec<String> = Cli::command()
        .get_subcommands()
        .filter(|s| s.is_hide_set())
        .map(|s| s.get_name().to_owned())
        .collect();
    assert_eq!(hidden, Vec::<String>::new());
}

/// The file name clap_complete gives a shell's script (kubectl-vmsnap.bash, _kubectl-vmsnap, …).
fn file_name(shell: Shell) -> String {
    use clap_complete::Generator;
    shell.file_name(BIN_NAME)
}

/// Man pages: kubectl-vmsnap.1 and one page per visible subcommand (clap_mangen's naming,
/// kubectl-vmsnap-create.1, …).
fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    let mut render = |c: clap::Command| {
        // Every page names the package, not just its subcommand, as its source.
        let man = clap_mangen::Man::new(c)
            .source(format!("kubectl-vmsnap {}", env!("CARGO_PKG_VERSION")))
            .manual("kubectl-vmsnap Manual");
        let mut out = Vec::new();
        man.render(&mut out).expect("render man page");
        pages.push((man.get_filename(), out));
    };
    render(cmd.clone());
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        render(sub.clone());
    }
    pages
}

#[test]
fn man_pages_match_the_clap_definition_and_none_are_stale() {
    let dir = root().join("docs/man");
    let pages = man_pages();
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"kubectl-vmsnap.1"), "{names:?}");
    let mut drift: Vec<String> = pages
        .iter()
        .filter_map(|(name, text)| check_generated(&dir.join(name), text))
        .collect();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".1") && !names.contains(&name.as_str()) {
            drift.push(format!(
                "{} is not generated any more; delete it",
                entry.path().display()
            ));
        }
    }
    assert_no_drift(drift);
}

#[test]
fn man_page_documents_every_visible_subcommand_and_the_kubectl_form() {
    let text = read(root().join("docs/man/kubectl-vmsnap.1"));
    assert!(
        text.starts_with(".ie \\n(.g .ds Aq"),
        "roff header expected"
    );
    assert!(
        text.contains("kubectl vmsnap"),
        "synopsis should show the kubectl form"
    );
    for sub in Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
    {
        // roff escapes the hyphen of restore-disk.
        assert!(
            text.contains(&sub.get_name().replace('-', "\\-")),
            "{} missing from the man page",
            sub.get_name()
        );
    }
    assert!(
        !text.contains("__complete"),
        "hidden plumbing must stay out of the man page"
    );
}

#[test]
fn completion_helper_is_the_executable_kubectl_looks_for() {
    let shim = root().join("completions/kubectl_complete-vmsnap");
    let text = read(&shim);
    assert!(text.starts_with("#!/usr/bin/env sh\n"), "{text}");
    assert!(
        text.lines()
            .any(|l| l == "exec kubectl vmsnap __complete \"$@\""),
        "{text}"
    );
    assert!(text.contains(completion::COMPLETE_SUBCOMMAND));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&shim).expect("shim").permissions().mode();
        assert_eq!(
            mode & 0o111,
            0o111,
            "kubectl_complete-vmsnap must be executable (git keeps +x)"
        );
    }
    let cmd = read(root().join("completions/kubectl_complete-vmsnap.cmd"));
    assert!(cmd.contains("kubectl vmsnap __complete %*"), "{cmd}");
    assert!(cmd.contains("\r\n"), "Windows batch files want CRLF");
}

#[test]
fn git_records_the_helper_as_executable() {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-s",
            "completions/kubectl_complete-vmsnap",
            "scripts/package.sh",
            "scripts/render-krew-manifest.sh",
        ])
        .current_dir(root())
        .output();
    let Some(out) = out
        .ok()
        .filter(|o| o.status.success() && !o.stdout.is_empty())
    else {
        eprintln!("note: not a git checkout with these files committed; skipping the mode check");
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        assert!(line.starts_with("100755"), "not executable in git: {line}");
    }
}

/// Load the checked-in bash script into a real bash and ask it, as bash's TAB would.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let script = root().join("completions").join(file_name(Shell::Bash));
    // The function the script registers (`complete -F <function> … kubectl-vmsnap`).
    let text = read(&script);
    let function = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("complete -F "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("complete -F line");
    let line = words.join(" ");
    let program = format!(
        "source {script}\nCOMP_WORDS=({words})\nCOMP_CWORD={cword}\nCOMP_LINE='{line}'\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         {function} kubectl-vmsnap \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script = shell_quote(&script),
        words = words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" "),
        cword = words.len() - 1,
    );
    let out = run_ok(Command::new("bash").arg("--norc").arg("-c").arg(program));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

#[test]
fn bash_script_completes_subcommands_and_flags_in_a_real_bash() {
    if Command::new("bash").arg("--version").output().is_err() {
        assert!(std::env::var("CI").is_err(), "bash is required under CI");
        eprintln!("note: bash not found; skipping");
        return;
    }
    assert_eq!(
        bash_complete(&["kubectl-vmsnap", "res"]),
        ["restore", "restore-disk"]
    );
    let flags = bash_complete(&["kubectl-vmsnap", "restore", "db", "--sn"]);
    assert_eq!(flags, ["--snapshot"]);
    let top = bash_complete(&["kubectl-vmsnap", ""]);
    assert!(
        top.contains(&"create".to_owned()) && top.contains(&"list".to_owned()),
        "{top:?}"
    );
}
