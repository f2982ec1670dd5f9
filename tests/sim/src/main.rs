//! The `vmsnap-sim` binary: `serve` runs the simulated cluster until killed; `demo` tells the
//! README's story against it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use vmsnap_sim::{Sim, SimConfig};

#[derive(Parser)]
#[command(
    name = "vmsnap-sim",
    version,
    about = "A simulated Kubernetes cluster with KubeVirt and CSI snapshots"
)]
struct Cli {
    /// Log every request and start-up notes to stderr.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the simulated cluster until killed.
    Serve(Serve),
    /// Run kubectl vmsnap through create, list and restore against a fresh simulated cluster.
    Demo(Demo),
}

#[derive(Parser)]
struct Demo {
    /// The kubectl-vmsnap binary (default: built with cargo in this checkout, or beside this binary).
    #[arg(long, value_name = "PATH")]
    plugin: Option<PathBuf>,
    /// Keep the cluster running afterwards and print how to point kubectl at it.
    #[arg(long)]
    serve: bool,
    /// Multiply the controllers' scripted durations by this (1 = as scripted).
    #[arg(long, value_name = "X", default_value_t = 0.5)]
    time_scale: f64,
    /// Whose cluster and story: kubevirt (OpenShift Virtualization), vmoperator (vSphere
    /// Supervisor) or deckhouse.
    #[arg(long, value_enum, default_value_t = DemoPlatform::Kubevirt)]
    platform: DemoPlatform,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DemoPlatform {
    Kubevirt,
    Vmoperator,
    Deckhouse,
}

#[derive(Parser)]
struct Serve {
    /// Address to listen on (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// A scenario file or directory (YAML documents, optional sim.yaml); repeatable, later ones override earlier ones.
    #[arg(long = "scenario", value_name = "PATH")]
    scenarios: Vec<PathBuf>,
    /// Do not load the built-in default scenario.
    #[arg(long)]
    no_default_scenario: bool,
    /// Directory of reference CRD schemas (default: $VMSNAP_SIM_SCHEMAS, then ../shared/reference).
    #[arg(long, value_name = "DIR")]
    schemas: Option<PathBuf>,
    /// Write a kubeconfig here once the server is ready.
    #[arg(long, value_name = "OUT")]
    kubeconfig: Option<PathBuf>,
    /// The user whose token goes into the kubeconfig (default: the scenario's default user).
    #[arg(long)]
    user: Option<String>,
    /// The kubeconfig context's namespace (default: the scenario's).
    #[arg(long, short = 'n')]
    namespace: Option<String>,
    /// Latency added to every request, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 0)]
    rtt_ms: u64,
    /// Multiply the controllers' scripted durations by this.
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    time_scale: f64,
    /// Stamp objects from this instant (RFC 3339) instead of the wall clock; with
    /// --time-scale 0 the clock stands still there (reproducible output, with VMSNAP_NOW).
    #[arg(long, value_name = "RFC3339")]
    start_time: Option<jiff::Timestamp>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args, cli.verbose).await,
        Command::Demo(args) => {
            vmsnap_sim::demo::run(vmsnap_sim::demo::DemoOptions {
                plugin: args.plugin,
                serve: args.serve,
                time_scale: args.time_scale,
                platform: Some(match args.platform {
                    DemoPlatform::Kubevirt => vmsnap_sim::Platform::Kubevirt,
                    DemoPlatform::Vmoperator => vmsnap_sim::Platform::Vmoperator,
                    DemoPlatform::Deckhouse => vmsnap_sim::Platform::Deckhouse,
                }),
            })
            .await
        }
    }
}

async fn serve(args: Serve, verbose: bool) -> anyhow::Result<()> {
    let sim = Sim::start(SimConfig {
        addr: args.addr,
        scenarios: args.scenarios,
        default_scenario: !args.no_default_scenario,
        schemas: args.schemas,
        rtt: Duration::from_millis(args.rtt_ms),
        time_scale: args.time_scale,
        verbose,
        controllers: true,
        start_time: args.start_time,
        platforms: Vec::new(),
    })
    .await?;
    let user = args.user.unwrap_or_else(|| sim.default_user().to_string());
    let namespace = args
        .namespace
        .unwrap_or_else(|| sim.default_namespace().to_string());
    if let Some(path) = &args.kubeconfig {
        sim.write_kubeconfig(path, &user, &namespace)
            .with_context(|| format!("failed to write the kubeconfig {}", path.display()))?;
    }
    println!("vmsnap-sim serving at {}", sim.url());
    if let Some(path) = &args.kubeconfig {
        println!(
            "kubeconfig: {} (user {user}, namespace {namespace})",
            path.display()
        );
    }
    wait_for_signal().await;
    sim.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
