//! The one place that wires plan, confirm, execute and render.

use std::ffi::OsString;
use std::io::Write;

use anyhow::Context as _;
use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command, GlobalArgs};
use crate::cluster::{connect, served_groups};
use crate::completion;
use crate::env::Env;
use crate::error::{self, EXIT_OK, EXIT_USAGE};
use crate::flow::Ctx;
use crate::output::{self, RenderOptions, View};
use crate::platform::capability::ProviderKind;
use crate::platform::{Choice, deckhouse, detect, kubevirt, vmoperator};

/// Runs one invocation and returns the process exit code.
pub async fn run(args: Vec<OsString>, env: &mut Env) -> i32 {
    if let Some(words) = completion::complete_request(&args) {
        return complete(&words, env).await;
    }
    let parsed = crate::cli::command()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e, env),
    };
    env.color = env.color && !cli.global.no_color;
    env.stdout_color = env.stdout_color && !cli.global.no_color;
    env.ui.set_verbosity(cli.global.verbosity);
    let mut server: Option<String> = None;
    let result = dispatch(&cli, env, &mut server).await;
    match result {
        Ok(()) => EXIT_OK,
        Err(e) if is_broken_pipe(&e) => EXIT_OK,
        Err(e) => {
            let _ = env.stdout.flush();
            let code = crate::explain::report(&e, server.as_deref(), &mut env.stderr);
            match cli.command {
                Command::Diff(_) => error::diff_exit_code(&e, code),
                _ => code,
            }
        }
    }
}

/// Answers kubectl's plugin completion protocol (`__complete WORDS…`); never fails loudly.
async fn complete(words: &[String], env: &mut Env) -> i32 {
    let vars = env.vars.clone();
    let pages_until = tokio::time::Instant::now() + completion::PAGES_BUDGET;
    let connect_with = |lookup: &completion::Lookup| {
        let opt = |k: &str| lookup.options.get(k).cloned();
        let global = GlobalArgs {
            kubeconfig: opt("kubeconfig").map(Into::into),
            context: opt("context"),
            cluster: opt("cluster"),
            user: opt("user"),
            namespace: lookup.namespace.clone(),
            request_timeout: Some(completion::LOOKUP_TIMEOUT),
            connection: crate::cli::ConnectionFlags::from_options(&lookup.options),
            ..GlobalArgs::default()
        };
        async move {
            let conn = connect(&global, &vars).await?;
            Ok(completion::KubeNames::new(conn.client, pages_until))
        }
    };
    let cmd = Cli::command();
    let _ = completion::respond(
        &cmd,
        words,
        &env.vars,
        connect_with,
        completion::LOOKUP_TIMEOUT,
        &mut env.stdout,
    )
    .await;
    let _ = env.stdout.flush();
    EXIT_OK
}

fn clap_exit(e: clap::Error, env: &mut Env) -> i32 {
    use clap::error::ErrorKind;
    // Asked-for help and version go to stdout with success; everything else is a usage error.
    // Each is coloured only when its own stream is a terminal.
    let to_stdout = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    let text = if (to_stdout && env.stdout_color) || (!to_stdout && env.color) {
        e.render().ansi().to_string()
    } else {
        e.render().to_string()
    };
    if to_stdout {
        let _ = env.stdout.write_all(text.as_bytes());
        EXIT_OK
    } else {
        let _ = env.stderr.write_all(text.as_bytes());
        EXIT_USAGE
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

async fn dispatch(cli: &Cli, env: &mut Env, server: &mut Option<String>) -> anyhow::Result<()> {
    let global = &cli.global;
    let format = global.output_spec();
    let opts = RenderOptions {
        no_headers: matches!(&cli.command, Command::List(a) if a.no_headers),
        color: env.stdout_color,
    };
    // Commands that need no cluster.
    match &cli.command {
        Command::Version => {
            let report = crate::platform::version::run(global, &env.vars).await;
            return output::render_spec(&report, &format, env.clock.now(), opts, &mut env.stdout);
        }
        Command::Options => {
            let text = crate::cli::options_text(&Cli::command());
            env.stdout
                .write_all(text.as_bytes())
                .context("failed to write output")?;
            return env.stdout.flush().context("failed to write output");
        }
        Command::Completion(a) => {
            let mut script = Vec::new();
            match a.shell.shell() {
                Some(shell) => completion::generate(shell, &mut Cli::command(), &mut script),
                None => script.extend_from_slice(completion::kubectl_plugin_helper().as_bytes()),
            }
            env.stdout
                .write_all(&script)
                .context("failed to write output")?;
            return env.stdout.flush().context("failed to write output");
        }
        _ => {}
    }

    let conn = connect(global, &env.vars).await?;
    *server = Some(conn.server.clone());
    for w in &conn.warnings {
        let _ = writeln!(
            env.stderr,
            "{}",
            crate::terminal::stderr_line(&format!("warning: {w}"))
        );
    }
    let namespace = conn.namespace.clone();
    let server_warnings = conn.server_warnings.clone();
    // The first reads need no discovery answer (the VM is kubevirt.io/v1; snapshots are read
    // at the preferred version): run them alongside it.
    let started = env.clock.now();
    let (groups, prefetch) = futures::join!(
        served_groups(&conn.client),
        kubevirt::commands::context::prefetch(&cli.command, &conn.client, &namespace, started)
    );
    let groups = groups?;
    let detected = match detect::choose(&groups, global.provider)? {
        Choice::One(d) => d,
        // `list -A` lists every platform's snapshots with a PLATFORM column.
        Choice::Several(candidates) if crate::platform::all::applies(&cli.command) => {
            let selector = match &cli.command {
                Command::List(a) => a.selector.clone(),
                _ => None,
            };
            let report =
                crate::platform::all::list(&conn.client, &candidates, selector.as_deref()).await?;
            if report.is_empty() && !format.format.is_machine() {
                let _ = writeln!(env.stderr, "No snapshots found.");
            }
            let out = Finish {
                format,
                opts,
                now: env.clock,
                warnings: &server_warnings,
                global,
            };
            return out.finish(&report, env.stdout.as_mut());
        }
        Choice::Several(candidates) => {
            let ns = (!crate::platform::pick::all_namespaces(&cli.command)).then_some(&*namespace);
            crate::platform::pick::pick(&cli.command, candidates, &conn.client, ns).await?
        }
    };
    crate::platform::pick::check_flags(&cli.command, detected.kind)?;
    let interactive = env.ui.interactive() && !global.no_input;
    let clock = env.clock;
    let color = env.color;
    let Env {
        ui, stderr, stdout, ..
    } = env;
    let snapshot_version = detected.snapshot_version.clone();
    let mut ctx = Ctx {
        global,
        conn,
        snapshot_version,
        namespace,
        ui: ui.as_mut(),
        err: stderr.as_mut(),
        clock,
        started,
        interactive,
        color,
        prefetch,
    };
    let out = Finish {
        format,
        opts,
        now: clock,
        warnings: &server_warnings,
        global,
    };
    if let Command::List(a) = &cli.command
        && a.watching()
    {
        let stdout = stdout.as_mut();
        match detected.kind {
            ProviderKind::KubeVirt => {
                kubevirt::commands::list::watch(a, &mut ctx, opts, stdout).await?
            }
            ProviderKind::VmOperator => {
                vmoperator::commands::list_watch(a, &mut ctx, opts, stdout).await?
            }
            ProviderKind::Deckhouse => {
                deckhouse::commands::list_watch(a, &mut ctx, opts, stdout).await?
            }
        }
        return fail_on_warnings(global, &server_warnings);
    }
    let command = &cli.command;
    let stdout = stdout.as_mut();
    match detected.kind {
        ProviderKind::KubeVirt => {
            out.finish(&kubevirt::commands::run(command, &mut ctx).await?, stdout)
        }
        ProviderKind::VmOperator => {
            out.finish(&vmoperator::commands::run(command, &mut ctx).await?, stdout)
        }
        ProviderKind::Deckhouse => {
            out.finish(&deckhouse::commands::run(command, &mut ctx).await?, stdout)
        }
    }
}

/// What happens after a platform's command returned its report: printed, then the server's
/// warnings and the report's own outcome may still fail the command.
struct Finish<'a> {
    format: crate::output::OutputSpec,
    opts: RenderOptions,
    now: crate::env::Clock,
    warnings: &'a crate::cluster::warnings::Seen,
    global: &'a GlobalArgs,
}

impl Finish<'_> {
    fn finish(&self, view: &impl View, stdout: &mut dyn Write) -> anyhow::Result<()> {
        output::render_spec(view, &self.format, self.now.now(), self.opts, stdout)?;
        fail_on_warnings(self.global, self.warnings)?;
        // A batch prints its table whatever happened; a failed snapshot still fails the command.
        match view.failure() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// `--warnings-as-errors`: the server's warnings, already printed, fail the command (kubectl
/// exits 1 after printing them: cli-runtime ConfigFlags, client-go rest/warnings.go).
fn fail_on_warnings(
    global: &GlobalArgs,
    seen: &crate::cluster::warnings::Seen,
) -> anyhow::Result<()> {
    let count = seen.count();
    if global.connection.warnings_as_errors && count > 0 {
        let s = if count == 1 { "" } else { "s" };
        return Err(crate::error::UserError::failure(format!(
            "{count} warning{s} received from the server (--warnings-as-errors)"
        ))
        .hint("the warnings are printed above as Warning: lines")
        .into());
    }
    Ok(())
}
