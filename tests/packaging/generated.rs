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
    let mut pages = vec![man_page(cmd.clone(), None)];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.push(man_page(sub.clone(), Some(sub.get_name())));
    }
    pages
}

/// One page, its sections in man-pages(7)'s order: clap_mangen's NAME, SYNOPSIS,
/// DESCRIPTION, OPTIONS (and SUBCOMMANDS), then EXIT STATUS, VERSION, EXAMPLES. The examples
/// are the `Examples:` of the command's `--help`; clap_mangen alone would print that text,
/// exit codes included, as one reflowed EXTRA section.
fn man_page(cmd: clap::Command, name: Option<&str>) -> (String, Vec<u8>) {
    let examples = cmd
        .get_after_help()
        .map(|h| examples_of(&h.to_string()))
        .unwrap_or_default();
    // Every page names the package, not just its subcommand, as its source.
    let man = clap_mangen::Man::new(cmd.after_help(None::<&str>))
        .source(format!("kubectl-vmsnap {}", env!("CARGO_PKG_VERSION")))
        .manual("kubectl-vmsnap Manual");
    let mut page = Vec::new();
    man.render(&mut page).expect("render man page");
    let page = String::from_utf8(page).expect("utf-8 man page");

    let mut exit = roff::Roff::new();
    exit.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in kubectl_vmsnap::error::exit_statuses(name) {
        exit.control("TP", []).text([roff::bold(code.to_string())]);
        exit.text([roff::roman(meaning)]);
    }
    let mut tail = roff::Roff::new();
    if !examples.is_empty() {
        // No filling: each example stays on its own line(s), as in --help.
        tail.control("SH", ["EXAMPLES"]).control("nf", []);
        for line in &examples {
            tail.text([roff::roman(line.as_str())]);
        }
        tail.control("fi", []);
    }
    // roff prints its apostrophe preamble before every rendering; the page has it already.
    let preamble = roff::Roff::new().render();
    let without_preamble = |r: &roff::Roff| r.render()[preamble.len()..].to_owned();
    let (head, version) = match page.find(".SH VERSION\n") {
        Some(at) => page.split_at(at),
        None => (page.as_str(), ""),
    };
    let text = format!(
        "{head}{}{version}{}",
        without_preamble(&exit),
        without_preamble(&tail)
    );
    (man.get_filename(), text.into_bytes())
}

/// The example lines of a command's after-help (`Examples:` up to `Exit codes:`), with
/// the two-space indent of --help taken off.
fn examples_of(after_help: &str) -> Vec<String> {
    let Some(rest) = after_help.split_once("Examples:\n").map(|(_, r)| r) else {
        return Vec::new();
    };
    let rest = rest.split("\nExit codes:").next().unwrap_or_default();
    rest.trim_end()
        .lines()
        .map(|l| l.strip_prefix("  ").unwrap_or(l).to_owned())
        .collect()
}

/// The `.SH` headings of a page, in order (quotes of multi-word ones taken off).
fn sections(page: &str) -> Vec<String> {
    page.lines()
        .filter_map(|l| l.strip_prefix(".SH "))
        .map(|h| h.trim_matches('"').to_owned())
        .collect()
}

#[test]
fn man_pages_have_examples_and_exit_status_sections_in_man_pages_order() {
    let cmd = Cli::command();
    for (name, text) in man_pages() {
        let text = String::from_utf8(text).expect("utf-8");
        let heads = sections(&text);
        assert!(!heads.contains(&"EXTRA".to_owned()), "{name}: {heads:?}");
        let at = |h: &str| {
            heads
                .iter()
                .position(|x| x == h)
                .unwrap_or_else(|| panic!("{name}: no {h} section in {heads:?}"))
        };
        // man-pages(7): NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, …, EXAMPLES.
        let order = [
            at("NAME"),
            at("SYNOPSIS"),
            at("DESCRIPTION"),
            at("EXIT STATUS"),
            at("EXAMPLES"),
        ];
        assert!(
            order.is_sorted(),
            "{name}: sections out of order: {heads:?}"
        );
        assert_eq!(at("EXAMPLES"), heads.len() - 1, "{name}: {heads:?}");
        assert_eq!(
            text.matches(".ie \\n(.g .ds Aq").count(),
            1,
            "{name}: one roff preamble"
        );
        // Every code of the table has its own tagged paragraph.
        for code in [0, 1, 2, 3, 4, 5, 6, 130] {
            assert!(
                text.contains(&format!(".TP\n\\fB{code}\\fR\n")),
                "{name}: exit status {code} missing"
            );
        }
        // The examples are the --help ones, unfilled, hyphens escaped as roff wants.
        let sub = name
            .strip_prefix("kubectl-vmsnap-")
            .and_then(|n| n.strip_suffix(".1"));
        let help = match sub {
            Some(s) => cmd.find_subcommand(s).expect("subcommand").get_after_help(),
            None => cmd.get_after_help(),
        }
        .map(ToString::to_string)
        .unwrap_or_default();
        let examples = &text[text.find(".SH EXAMPLES").expect("examples")..];
        assert!(
            examples.contains("\n.nf\n") && examples.ends_with(".fi\n"),
            "{name}"
        );
        for line in help
            .lines()
            .filter(|l| l.trim_start().starts_with("kubectl vmsnap"))
        {
            assert!(
                examples.contains(&line.trim().replace('-', "\\-")),
                "{name}: example {line:?} missing from EXAMPLES"
            );
        }
        assert!(!examples.contains("Exit codes"), "{name}");
    }
}

#[test]
fn diff_man_page_says_1_means_differences() {
    let (_, diff) = man_pages()
        .into_iter()
        .find(|(n, _)| n == "kubectl-vmsnap-diff.1")
        .expect("diff page");
    let text = String::from_utf8(diff).expect("utf-8");
    assert!(
        text.contains(".TP\n\\fB1\\fR\nrestoring the snapshot would change"),
        "{text}"
    );
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
