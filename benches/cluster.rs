//! `cargo bench --bench cluster`: kubectl-vmsnap against the real kubectl on vmsnap-sim with an
//! injected round-trip time — list wall time, requests and peak RSS; `create` preflight round
//! trips; ready detection latency; cold start and binary size. Prints a Markdown report.
//!
//! `cargo bench --bench cluster -- --quick` (or `VMSNAP_BENCH_QUICK=1`) runs a CI-sized version,
//! as does running it without cargo bench's `--bench` flag (`cargo test --all-targets`).
//! Other flags: `--vms N`, `--snapshots M[,M...]`, `--runs R`, `--rtt-ms MS`, `--out FILE`,
//! `--only list,check,batch,prune,create,cold`.
//! This is a benchmark, not a test: it never fails on a time.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use vmsnap_sim::generate::{self, Spec};
use vmsnap_sim::{EventType, Gvr, Platform, RequestRecord, Sim, SimConfig};

/// What to run.
struct Opts {
    quick: bool,
    vms: usize,
    sizes: Vec<usize>,
    runs: usize,
    rtt: Duration,
    out: Option<PathBuf>,
    plugin: PathBuf,
    kubectl: PathBuf,
    /// GNU time, for peak RSS (`%M`).
    time: Option<PathBuf>,
    /// `--only list,check,batch,prune,create,cold`: the sections to run (all by default).
    only: Option<Vec<String>>,
}

fn parse_opts() -> anyhow::Result<Opts> {
    let mut quick = std::env::var_os("VMSNAP_BENCH_QUICK").is_some_and(|v| v != "0");
    let mut vms = None;
    let mut sizes = None;
    let mut runs = None;
    let mut rtt_ms = 20u64;
    let mut out = None;
    let mut only = None;
    // `cargo bench` passes --bench; without it (`cargo test --all-targets`) run the quick size.
    if !std::env::args().any(|a| a == "--bench") {
        quick = true;
    }
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            "--quick" => quick = true,
            "--vms" => vms = Some(value("--vms")?.parse()?),
            "--snapshots" => {
                sizes = Some(
                    value("--snapshots")?
                        .split(',')
                        .map(str::parse)
                        .collect::<Result<Vec<usize>, _>>()?,
                )
            }
            "--runs" => runs = Some(value("--runs")?.parse()?),
            "--rtt-ms" => rtt_ms = value("--rtt-ms")?.parse()?,
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--only" => only = Some(value("--only")?.split(',').map(str::to_string).collect()),
            // cargo bench passes --bench; libtest-style filters are meaningless here.
            _ => {}
        }
    }
    let plugin = plugin_binary()?;
    let kubectl = std::env::var_os("VMSNAP_BENCH_KUBECTL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/kubectl"));
    if !kubectl.exists() {
        bail!(
            "kubectl not found at {} (set VMSNAP_BENCH_KUBECTL)",
            kubectl.display()
        );
    }
    let time = ["/usr/bin/time", "/bin/time"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    Ok(Opts {
        quick,
        vms: vms.unwrap_or(if quick { 100 } else { 2_000 }),
        sizes: sizes.unwrap_or_else(|| {
            if quick {
                vec![1_000]
            } else {
                vec![10_000, 50_000, 100_000]
            }
        }),
        runs: runs.unwrap_or(if quick { 3 } else { 5 }).max(1),
        rtt: Duration::from_millis(rtt_ms),
        out,
        plugin,
        kubectl,
        time,
        only,
    })
}

/// The plugin binary cargo built beside this bench (same profile), or `VMSNAP_BENCH_BIN`.
fn plugin_binary() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("VMSNAP_BENCH_BIN") {
        return Ok(PathBuf::from(p));
    }
    if let Some(p) = option_env!("CARGO_BIN_EXE_kubectl-vmsnap") {
        let p = PathBuf::from(p);
        if p.exists() {
            return Ok(p);
        }
    }
    // target/<profile>/deps/cluster-HASH -> target/<profile>/kubectl-vmsnap
    let exe = std::env::current_exe()?;
    let beside = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("kubectl-vmsnap"));
    match beside {
        Some(p) if p.exists() => Ok(p),
        _ => bail!(
            "kubectl-vmsnap not found beside {}: run `cargo build --release --bin kubectl-vmsnap` or set VMSNAP_BENCH_BIN",
            exe.display()
        ),
    }
}

/// One finished child process.
struct RunOut {
    /// When the child was spawned.
    started: Instant,
    wall: Duration,
    /// Peak resident set size in KiB (GNU time's %M), when measurable.
    rss_kib: Option<u64>,
    stdout_lines: usize,
    /// When each stdout / stderr line arrived, relative to the spawn.
    stdout_at: Vec<(Duration, String)>,
    stderr_at: Vec<(Duration, String)>,
    status: std::process::ExitStatus,
}

/// Runs `program args` with `env`, under GNU time when present, timing from spawn to exit and
/// stamping each output line.
fn run(
    opts: &Opts,
    program: &Path,
    args: &[&str],
    env: &[(&str, &Path)],
    keep_lines: bool,
) -> anyhow::Result<RunOut> {
    let rss_file = tempfile::NamedTempFile::new()?;
    let mut cmd = match &opts.time {
        Some(time) => {
            let mut c = Command::new(time);
            c.arg("-f").arg("%M").arg("-o").arg(rss_file.path());
            c.arg(program);
            c
        }
        None => Command::new(program),
    };
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("failed to run {}", program.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let stderr = child.stderr.take().context("no stderr")?;
    let (out, err) = std::thread::scope(|s| {
        let out = s.spawn(move || stamp_lines(stdout, start, keep_lines));
        let err = s.spawn(move || stamp_lines(stderr, start, true));
        (out.join(), err.join())
    });
    let status = child.wait()?;
    let wall = start.elapsed();
    let (stdout_lines, stdout_at) = out.map_err(|_| anyhow::anyhow!("stdout reader panicked"))?;
    let (_, stderr_at) = err.map_err(|_| anyhow::anyhow!("stderr reader panicked"))?;
    let rss_kib = if opts.time.is_some() {
        let mut s = String::new();
        std::fs::File::open(rss_file.path())?.read_to_string(&mut s)?;
        s.lines().last().and_then(|l| l.trim().parse().ok())
    } else {
        None
    };
    Ok(RunOut {
        started: start,
        wall,
        rss_kib,
        stdout_lines,
        stdout_at,
        stderr_at,
        status,
    })
}

/// Counts lines; keeps (arrival time, text) of all when `keep`, else of the first only.
fn stamp_lines(r: impl Read, start: Instant, keep: bool) -> (usize, Vec<(Duration, String)>) {
    let mut n = 0;
    let mut kept = Vec::new();
    for line in BufReader::new(r).lines() {
        let Ok(line) = line else { break };
        if keep || kept.is_empty() {
            kept.push((start.elapsed(), line));
        }
        n += 1;
    }
    (n, kept)
}

fn median(xs: &[Duration]) -> Duration {
    let mut v = xs.to_vec();
    v.sort();
    match v.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn ms1(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "n/a (install GNU time)".into(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}

/// `LIST virtualmachinesnapshots`, `GET persistentvolumeclaims`, `WATCH ...` or `discovery`.
fn classify(r: &RequestRecord) -> String {
    let segs: Vec<&str> = r.path.split('/').filter(|s| !s.is_empty()).collect();
    let rest: &[&str] = match segs.as_slice() {
        ["api"] | ["api", _] | ["apis"] | ["apis", _] | ["apis", _, _] | ["version"] => {
            return "discovery".into();
        }
        ["openapi", ..] => return "discovery (openapi)".into(),
        ["api", _, rest @ ..] => rest,
        ["apis", _, _, rest @ ..] => rest,
        _ => return format!("{} {}", r.method, r.path),
    };
    let (plural, named) = match rest {
        ["namespaces", _, plural, more @ ..] => (*plural, !more.is_empty()),
        [plural, more @ ..] => (*plural, !more.is_empty()),
        [] => ("?", false),
    };
    let watch = r
        .query
        .split('&')
        .any(|kv| kv == "watch=true" || kv == "watch=1");
    let verb = match (r.method.as_str(), named, watch) {
        ("GET", _, true) => "WATCH",
        ("GET", true, false) => "GET",
        ("GET", false, false) => "LIST",
        (m, _, _) => m,
    };
    format!("{verb} {plural}")
}

/// "LIST virtualmachinesnapshots ×20, discovery ×1".
fn breakdown(reqs: &[RequestRecord]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in reqs {
        *counts.entry(classify(r)).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.iter()
        .map(|(k, n)| format!("{k} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Report {
    md: String,
}

impl Report {
    fn line(&mut self, s: impl AsRef<str>) {
        println!("{}", s.as_ref());
        self.md.push_str(s.as_ref());
        self.md.push('\n');
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), load average {load} at start")
}

fn version_of(program: &Path, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_default()
}

fn main() -> anyhow::Result<()> {
    let opts = parse_opts()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let tmp = tempfile::tempdir()?;
    let mut rep = Report { md: String::new() };

    rep.line(format!(
        "## Results ({} run, {})",
        if opts.quick { "quick" } else { "full" },
        jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC")
    ));
    rep.line("");
    rep.line(format!("- machine: {}", machine()));
    rep.line(format!(
        "- plugin: `{}` ({})",
        opts.plugin.display(),
        version_of(&opts.plugin, &["--version"])
    ));
    rep.line(format!(
        "- kubectl: `{}` ({})",
        opts.kubectl.display(),
        version_of(&opts.kubectl, &["version", "--client"])
    ));
    rep.line(format!(
        "- injected RTT {} per request; median of {} runs after one warm-up; peak RSS from GNU time `%M`{}",
        ms(opts.rtt),
        opts.runs,
        if opts.time.is_none() {
            " (not installed here: `apt-get install -y time`)"
        } else {
            ""
        }
    ));
    rep.line("");

    let only = |section: &str| {
        opts.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|s| s == section))
    };
    if only("list") {
        list_bench(&opts, &rt, tmp.path(), &mut rep)?;
    }
    if only("check") {
        check_bench(&opts, &rt, tmp.path(), &mut rep)?;
    }
    if only("batch") {
        batch_bench(&opts, &rt, tmp.path(), &mut rep)?;
    }
    if only("prune") {
        prune_bench(&opts, &rt, tmp.path(), &mut rep)?;
    }
    if only("create") {
        create_bench(&opts, &rt, tmp.path(), &mut rep)?;
    }
    if only("cold") {
        cold_start(&opts, &mut rep)?;
    }

    if let Some(out) = &opts.out {
        std::fs::write(out, &rep.md)
            .with_context(|| format!("failed to write {}", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

/// `kubectl vmsnap list -A` (table, `-o name`, `-o json`, `-o yaml`) against
/// `kubectl get vmsnapshots -A` (its default pages of 500, and `--chunk-size=0`) for each
/// size, run by run in turn ([`interleaved`]).
fn list_bench(
    opts: &Opts,
    rt: &tokio::runtime::Runtime,
    tmp: &Path,
    rep: &mut Report,
) -> anyhow::Result<()> {
    rep.line("### list -A");
    rep.line("");
    rep.line(
        "| N VMs / M snapshots | command | wall (median) | min–max | requests | peak RSS | rows (json/yaml: lines) |",
    );
    rep.line("|---|---|---|---|---|---|---|");
    let mut details = Vec::new();
    for &m in &opts.sizes {
        let sim = rt.block_on(Sim::start(SimConfig {
            controllers: false,
            platforms: vec![Platform::Kubevirt],
            ..SimConfig::empty()
        }))?;
        let t = Instant::now();
        let stats = generate::generate(sim.store(), &Spec::new(opts.vms, m))?;
        eprintln!(
            "generated {} objects (N={}, M={m}) in {:.1}s",
            stats.total(),
            opts.vms,
            t.elapsed().as_secs_f64()
        );
        sim.faults().set_rtt(opts.rtt);
        let kubeconfig = tmp.join(format!("kubeconfig-{m}"));
        sim.write_kubeconfig(&kubeconfig, "admin", "default")?;
        let cache = tmp.join(format!("kubectl-cache-{m}"));
        let cache = cache.to_string_lossy().to_string();
        let env = [("KUBECONFIG", kubeconfig.as_path())];
        let plugin = opts.plugin.as_path();
        let kubectl = opts.kubectl.as_path();
        // (label, program, args, header lines)
        let cmds: Vec<(&str, &Path, Vec<String>, usize)> = vec![
            (
                "kubectl vmsnap list -A",
                plugin,
                strings(&["list", "-A"]),
                1,
            ),
            (
                "kubectl vmsnap list -A -o name",
                plugin,
                strings(&["list", "-A", "-o", "name"]),
                0,
            ),
            (
                "kubectl vmsnap list -A -o json",
                plugin,
                strings(&["list", "-A", "-o", "json"]),
                0,
            ),
            (
                "kubectl vmsnap list -A -o yaml",
                plugin,
                strings(&["list", "-A", "-o", "yaml"]),
                0,
            ),
            (
                "kubectl get vmsnapshots -A",
                kubectl,
                strings(&["get", "vmsnapshots", "-A", "--cache-dir", &cache]),
                1,
            ),
            (
                "kubectl get vmsnapshots -A --chunk-size=0",
                kubectl,
                strings(&[
                    "get",
                    "vmsnapshots",
                    "-A",
                    "--chunk-size=0",
                    "--cache-dir",
                    &cache,
                ]),
                1,
            ),
        ];
        let load = machine_load();
        let runnable: Vec<(&Path, Vec<String>, usize)> = cmds
            .iter()
            .map(|(_, program, args, header)| (*program, args.clone(), *header))
            .collect();
        let measured = interleaved(opts, &sim, &runnable, &env, opts.runs)?;
        for ((label, ..), got) in cmds.iter().zip(&measured) {
            rep.line(got.row(&format!("{} / {m}", opts.vms), label));
            details.push(format!("- M={m}, `{label}`: {}", breakdown(&got.reqs)));
        }
        details.push(format!("- M={m}: load average {load} before its runs"));
        rt.block_on(sim.shutdown());
    }
    rep.line("");
    rep.line(
        "Target: requests = discovery + ceil(M/5000) snapshot pages (pages of 5000 without \
         `--chunk-size`); the table adds ceil(V/5000) VolumeSnapshot pages alongside for SIZE.",
    );
    rep.line("");
    rep.line("Requests per run:");
    rep.line("");
    for d in details {
        rep.line(d);
    }
    rep.line("");
    Ok(())
}

/// The 1-minute load average, as /proc/loadavg says.
fn machine_load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "n/a".into())
}

/// Client requests with the time each was logged (its response), polled every 0.5 ms.
struct Waterfall {
    entries: Vec<(Instant, RequestRecord)>,
}

fn with_waterfall<T>(
    sim: &Sim,
    f: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<(T, Waterfall)> {
    sim.clear_requests();
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let poller = s.spawn(|| {
            let mut seen = 0;
            let mut entries = Vec::new();
            loop {
                let done = stop.load(Ordering::Acquire);
                let reqs = sim.requests();
                if reqs.len() > seen {
                    let at = Instant::now();
                    for r in &reqs[seen..] {
                        entries.push((at, r.clone()));
                    }
                    seen = reqs.len();
                }
                if done {
                    break;
                }
                std::thread::sleep(Duration::from_micros(500));
            }
            entries
        });
        let out = f();
        stop.store(true, Ordering::Release);
        let entries = poller
            .join()
            .map_err(|_| anyhow::anyhow!("request poller panicked"))?;
        Ok((out?, Waterfall { entries }))
    })
}

impl Waterfall {
    /// Requests answered before `t` (after `start`), grouped into waves answered within `gap`
    /// of each other; times relative to `start`.
    fn waves_before(
        &self,
        start: Instant,
        t: Duration,
        gap: Duration,
    ) -> Vec<(Duration, Vec<String>)> {
        let mut waves: Vec<(Duration, Vec<String>)> = Vec::new();
        for (at, r) in self.entries.iter() {
            let at = at.saturating_duration_since(start);
            if at > t {
                continue;
            }
            match waves.last_mut() {
                Some((first, names)) if at - *first <= gap => names.push(classify(r)),
                _ => waves.push((at, vec![classify(r)])),
            }
        }
        waves
    }
}

fn plan_at(r: &RunOut) -> Option<Duration> {
    r.stderr_at
        .iter()
        .find(|(_, l)| l.starts_with("Snapshot plan for VM"))
        .map(|(t, _)| *t)
}

/// `create` preflight (time to the plan) and ready detection, on a simulator with controllers.
fn create_bench(
    opts: &Opts,
    rt: &tokio::runtime::Runtime,
    tmp: &Path,
    rep: &mut Report,
) -> anyhow::Result<()> {
    let sim = rt.block_on(Sim::start(SimConfig {
        // Snapshots take 3 s × 0.1 = 300 ms after the VM is locked.
        time_scale: 0.1,
        platforms: vec![Platform::Kubevirt],
        ..SimConfig::empty()
    }))?;
    let ns = "bench";
    for (vm, vols) in [("vm-1vol", 1), ("vm-8vol", 8)] {
        generate::vm_with_volumes(sim.store(), ns, vm, vols, false)?;
    }
    let kubeconfig = tmp.join("kubeconfig-create");
    sim.write_kubeconfig(&kubeconfig, "admin", ns)?;
    let env = [("KUBECONFIG", kubeconfig.as_path())];
    let runs = opts.runs.max(5);

    rep.line("### create preflight (time until the plan prints)");
    rep.line("");
    rep.line("`kubectl-vmsnap create VM --dry-run=client --yes` (reads only), stopped VM. Round trips on the critical path = (t(RTT) − t(0)) / RTT, medians.");
    rep.line("");
    rep.line(format!(
        "| VM | plan at RTT 0 | plan at RTT {} | sequential round trips | requests | request waves (answered at) |",
        ms(opts.rtt)
    ));
    rep.line("|---|---|---|---|---|---|");
    for (vm, _) in [("vm-1vol", 1), ("vm-8vol", 8)] {
        let args = ["create", vm, "--dry-run=client", "--yes"];
        let mut at = BTreeMap::new();
        let mut last_waves = String::new();
        let mut last_count = 0;
        for rtt in [Duration::ZERO, opts.rtt] {
            sim.faults().set_rtt(rtt);
            run(opts, &opts.plugin, &args, &env, true)?;
            let mut times = Vec::new();
            for _ in 0..runs {
                let (r, wf) = with_waterfall(&sim, || run(opts, &opts.plugin, &args, &env, true))?;
                let Some(t) = plan_at(&r) else {
                    let err: Vec<&str> = r.stderr_at.iter().map(|(_, l)| l.as_str()).collect();
                    bail!("no plan from create {vm}: {}", err.join("\n"));
                };
                times.push(t);
                if rtt == opts.rtt {
                    // --dry-run=client makes no request after the plan: every one is preflight.
                    let waves = wf.waves_before(r.started, Duration::MAX, opts.rtt / 2);
                    last_count = wf.entries.len();
                    last_waves = waves
                        .iter()
                        .map(|(w, names)| {
                            let mut c: BTreeMap<&str, usize> = BTreeMap::new();
                            for n in names {
                                *c.entry(n.as_str()).or_default() += 1;
                            }
                            let items: Vec<String> = c
                                .iter()
                                .map(|(k, n)| {
                                    if *n > 1 {
                                        format!("{k} ×{n}")
                                    } else {
                                        k.to_string()
                                    }
                                })
                                .collect();
                            format!("{}: {}", ms(*w), items.join(", "))
                        })
                        .collect::<Vec<_>>()
                        .join(" → ");
                }
            }
            at.insert(rtt, median(&times));
        }
        let t0 = at.get(&Duration::ZERO).copied().unwrap_or_default();
        let t1 = at.get(&opts.rtt).copied().unwrap_or_default();
        let trips = if opts.rtt.is_zero() {
            0.0
        } else {
            t1.saturating_sub(t0).as_secs_f64() / opts.rtt.as_secs_f64()
        };
        rep.line(format!(
            "| {vm} | {} | {} | {trips:.1} (incl. discovery) | {last_count} | {last_waves} |",
            ms(t0),
            ms(t1)
        ));
    }
    rep.line("");

    // Ready detection: the controller's Succeeded write, seen in-process, to the plugin's report.
    rep.line("### ready detection (controller writes Succeeded → plugin prints its report)");
    rep.line("");
    rep.line(
        "`kubectl-vmsnap create VM --yes` (waits by default); the simulated snapshot takes 300 ms.",
    );
    rep.line("");
    rep.line("| namespace | RTT | p50 | min–max | runs | requests after Succeeded (last run) |");
    rep.line("|---|---|---|---|---|---|");
    let snap_gvr = Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");
    // A namespace with many VolumeSnapshots, as on a cluster that has been snapshotting a while.
    let busy = Spec {
        namespaces: vec!["bench-busy".into()],
        stopped_every: 1,
        ..Spec::new(200, 1_000)
    };
    let busy_stats = generate::generate(sim.store(), &busy)?;
    let busy_label = format!(
        "bench-busy ({} VolumeSnapshots)",
        busy_stats.volume_snapshots
    );
    let cases = [
        ("bench (empty)".to_string(), "bench", "vm-1vol"),
        (busy_label, "bench-busy", "vm-00001"),
    ];
    let mut seq = 0;
    for ((label, case_ns, vm), rtt) in cases
        .iter()
        .flat_map(|c| [(c, Duration::ZERO), (c, opts.rtt)])
    {
        sim.faults().set_rtt(rtt);
        let mut lat = Vec::new();
        let mut lost = 0;
        let mut after = String::new();
        // Unmeasured first run (also lets the controllers settle after the generator).
        for i in 0..=runs {
            seq += 1;
            let name = format!("ready-{seq}");
            let (tx, rx) = mpsc::channel::<Instant>();
            let mut events = sim.store().subscribe();
            let watched = name.clone();
            let g = snap_gvr.clone();
            let task = rt.spawn(async move {
                loop {
                    match events.recv().await {
                        Ok(ev)
                            if ev.kind == EventType::Modified
                                && ev.gvr.plural == g.plural
                                && ev.object.pointer("/metadata/name").and_then(|v| v.as_str())
                                    == Some(watched.as_str())
                                && ev.object.pointer("/status/phase").and_then(|v| v.as_str())
                                    == Some("Succeeded")
                                && ev.object.pointer("/status/readyToUse")
                                    == Some(&serde_json::Value::Bool(true)) =>
                        {
                            let _ = tx.send(Instant::now());
                            return;
                        }
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => return,
                    }
                }
            });
            let args = [
                "create",
                vm,
                "-n",
                case_ns,
                "--name",
                name.as_str(),
                "--yes",
                "--timeout",
                "60s",
            ];
            let (r, wf) = with_waterfall(&sim, || run(opts, &opts.plugin, &args, &env, true))?;
            task.abort();
            if !r.status.success() {
                let err: Vec<&str> = r.stderr_at.iter().map(|(_, l)| l.as_str()).collect();
                bail!("create {name} failed: {}", err.join("\n"));
            }
            // A busy store can overflow the event channel (Lagged); the moment is then
            // unknown, so the run is not counted rather than guessed.
            let Ok(succeeded) = rx.try_recv() else {
                lost += 1;
                continue;
            };
            let ok_at = succeeded.saturating_duration_since(r.started);
            let reported = r.stdout_at.first().map(|(t, _)| *t).unwrap_or(r.wall);
            if i == 0 {
                continue;
            }
            lat.push(reported.saturating_sub(ok_at));
            let later: Vec<RequestRecord> = wf
                .entries
                .iter()
                .filter(|(t, _)| *t >= succeeded)
                .map(|(_, r)| r.clone())
                .collect();
            after = breakdown(&later);
        }
        let lo = lat.iter().min().copied().unwrap_or_default();
        let hi = lat.iter().max().copied().unwrap_or_default();
        rep.line(format!(
            "| {label} | {} | {} | {}–{} | {} | {} |",
            ms(rtt),
            ms1(median(&lat)),
            ms1(lo),
            ms1(hi),
            lat.len(),
            match (after.is_empty(), lost) {
                (true, 0) => "none".to_string(),
                (false, 0) => after,
                (_, n) => format!(
                    "{} ({n} run(s) not counted: the event was lost to channel lag)",
                    if after.is_empty() { "none" } else { &after }
                ),
            }
        ));
    }
    rep.line("");
    rt.block_on(sim.shutdown());
    Ok(())
}

/// `--version` and `--help` from spawn to exit, and the binary's size.
fn cold_start(opts: &Opts, rep: &mut Report) -> anyhow::Result<()> {
    rep.line("### cold start and size");
    rep.line("");
    rep.line("| command | wall (median) | min–max | peak RSS |");
    rep.line("|---|---|---|---|");
    let runs = if opts.quick { 5 } else { 21 };
    let cases: [(&str, &Path, &[&str]); 4] = [
        ("kubectl-vmsnap --version", &opts.plugin, &["--version"]),
        ("kubectl-vmsnap --help", &opts.plugin, &["--help"]),
        (
            "kubectl version --client",
            &opts.kubectl,
            &["version", "--client"],
        ),
        ("kubectl --help", &opts.kubectl, &["--help"]),
    ];
    for (label, program, args) in cases {
        run(opts, program, args, &[], false)?;
        let mut walls = Vec::new();
        let mut rss = Vec::new();
        for _ in 0..runs {
            let r = run(opts, program, args, &[], false)?;
            walls.push(r.wall);
            rss.extend(r.rss_kib);
        }
        rss.sort();
        rep.line(format!(
            "| `{label}` | {} | {}–{} | {} |",
            ms1(median(&walls)),
            ms1(walls.iter().min().copied().unwrap_or_default()),
            ms1(walls.iter().max().copied().unwrap_or_default()),
            mib(rss.get(rss.len() / 2).copied())
        ));
    }
    rep.line("");
    let size = std::fs::metadata(&opts.plugin)?.len();
    let stripped = Command::new("file")
        .arg("-b")
        .arg(&opts.plugin)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .map_or("unknown", |s| {
            if s.contains("not stripped") {
                "not stripped"
            } else if s.contains("stripped") {
                "stripped"
            } else {
                "unknown"
            }
        });
    let kubectl_size = std::fs::metadata(&opts.kubectl)
        .map(|m| m.len())
        .unwrap_or(0);
    rep.line(format!(
        "Binary size: kubectl-vmsnap {:.2} MiB ({stripped}); kubectl {:.1} MiB.",
        size as f64 / (1024.0 * 1024.0),
        kubectl_size as f64 / (1024.0 * 1024.0)
    ));
    rep.line("");
    Ok(())
}

/// One command's measurements over interleaved runs.
struct Measured {
    walls: Vec<Duration>,
    rss_kib: Vec<u64>,
    /// The requests of the last run.
    reqs: Vec<RequestRecord>,
    rows: usize,
}

impl Measured {
    fn row(&self, what: &str, label: &str) -> String {
        let mut rss = self.rss_kib.clone();
        rss.sort();
        format!(
            "| {what} | `{label}` | {} | {}–{} ({} runs) | {} | {} | {} |",
            ms(median(&self.walls)),
            ms(self.walls.iter().min().copied().unwrap_or_default()),
            ms(self.walls.iter().max().copied().unwrap_or_default()),
            self.walls.len(),
            self.reqs.len(),
            mib(rss.get(rss.len() / 2).copied()),
            self.rows
        )
    }
}

/// Runs every command once unmeasured (kubectl fills its discovery cache), then `runs` rounds
/// of all of them in turn, so a change in the machine's load touches each alike.
/// `header` lines are not counted as rows.
fn interleaved(
    opts: &Opts,
    sim: &Sim,
    cmds: &[(&Path, Vec<String>, usize)],
    env: &[(&str, &Path)],
    runs: usize,
) -> anyhow::Result<Vec<Measured>> {
    let mut out = Vec::new();
    for (program, args, _) in cmds {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        sim.clear_requests();
        let r = run(opts, program, &args, env, false)?;
        if !r.status.success() {
            let err: Vec<&str> = r.stderr_at.iter().map(|(_, l)| l.as_str()).collect();
            bail!("{} {args:?} failed: {}", program.display(), err.join("\n"));
        }
        out.push(Measured {
            walls: Vec::new(),
            rss_kib: Vec::new(),
            reqs: Vec::new(),
            rows: 0,
        });
    }
    for _ in 0..runs {
        for ((program, args, header), m) in cmds.iter().zip(out.iter_mut()) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            sim.clear_requests();
            let r = run(opts, program, &args, env, false)?;
            m.walls.push(r.wall);
            m.rss_kib.extend(r.rss_kib);
            m.reqs = sim.requests();
            m.rows = r.stdout_lines.saturating_sub(*header);
        }
    }
    Ok(out)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `check -A` over N VMs against `kubectl get vm,vmi,pvc,dv -A` (default chunks and
/// `--chunk-size=0`), at RTT 0 and the injected RTT: sequential round trips = the difference
/// of the medians / RTT.
fn check_bench(
    opts: &Opts,
    rt: &tokio::runtime::Runtime,
    tmp: &Path,
    rep: &mut Report,
) -> anyhow::Result<()> {
    rep.line("### check -A (the storage analysis of every VM)");
    rep.line("");
    rep.line("| N VMs | command | wall (median) | min–max | requests | peak RSS | rows |");
    rep.line("|---|---|---|---|---|---|---|");
    let sizes = if opts.quick {
        vec![opts.vms.min(100)]
    } else {
        vec![500, opts.vms]
    };
    let mut notes = Vec::new();
    for n in sizes {
        let sim = rt.block_on(Sim::start(SimConfig {
            controllers: false,
            platforms: vec![Platform::Kubevirt],
            ..SimConfig::empty()
        }))?;
        generate::generate(sim.store(), &Spec::new(n, 0))?;
        let kubeconfig = tmp.join(format!("kubeconfig-check-{n}"));
        sim.write_kubeconfig(&kubeconfig, "admin", "default")?;
        let cache = tmp.join(format!("kubectl-cache-check-{n}"));
        let cache = cache.to_string_lossy().to_string();
        let env = [("KUBECONFIG", kubeconfig.as_path())];
        let kinds = "vm,vmi,pvc,dv";
        let cmds = [
            (opts.plugin.as_path(), strings(&["check", "-A"]), 1),
            (
                opts.kubectl.as_path(),
                strings(&["get", kinds, "-A", "--no-headers", "--cache-dir", &cache]),
                0,
            ),
            (
                opts.kubectl.as_path(),
                strings(&[
                    "get",
                    kinds,
                    "-A",
                    "--no-headers",
                    "--chunk-size=0",
                    "--cache-dir",
                    &cache,
                ]),
                0,
            ),
        ];
        let labels = [
            "kubectl vmsnap check -A",
            "kubectl get vm,vmi,pvc,dv -A",
            "kubectl get vm,vmi,pvc,dv -A --chunk-size=0",
        ];
        sim.faults().set_rtt(Duration::ZERO);
        let at_zero = interleaved(opts, &sim, &cmds[..1], &env, opts.runs)?;
        sim.faults().set_rtt(opts.rtt);
        let measured = interleaved(opts, &sim, &cmds, &env, opts.runs)?;
        for (label, m) in labels.iter().zip(&measured) {
            rep.line(m.row(&n.to_string(), label));
        }
        let trips = median(&measured[0].walls)
            .saturating_sub(median(&at_zero[0].walls))
            .as_secs_f64()
            / opts.rtt.as_secs_f64().max(1e-9);
        notes.push(format!(
            "- N={n}: `check -A` {trips:.1} sequential round trips incl. discovery ({} at RTT 0, {} at RTT {}); requests: {}; kubectl: {}",
            ms(median(&at_zero[0].walls)),
            ms(median(&measured[0].walls)),
            ms(opts.rtt),
            breakdown(&measured[0].reqs),
            breakdown(&measured[1].reqs),
        ));
        rt.block_on(sim.shutdown());
    }
    rep.line("");
    for n in notes {
        rep.line(n);
    }
    rep.line("");
    Ok(())
}

/// `create -l` and `prune -l` over the VMs of one namespace: the plans (reads only), the
/// batch without waiting, and with the wait (one label-selected watch) from the last
/// snapshot's Ready to the report.
fn batch_bench(
    opts: &Opts,
    rt: &tokio::runtime::Runtime,
    tmp: &Path,
    rep: &mut Report,
) -> anyhow::Result<()> {
    let n = if opts.quick { 50 } else { 200 };
    rep.line(format!("### create -l and prune -l over {n} VMs"));
    rep.line("");
    let sim = rt.block_on(Sim::start(SimConfig {
        // Snapshots take 3 s × 0.1 = 300 ms after the VM is locked.
        time_scale: 0.1,
        platforms: vec![Platform::Kubevirt],
        ..SimConfig::empty()
    }))?;
    let ns = "bench-batch";
    let spec = Spec {
        namespaces: vec![ns.into()],
        stopped_every: 1,
        ..Spec::new(n, 2 * n)
    };
    generate::generate(sim.store(), &spec)?;
    let kubeconfig = tmp.join("kubeconfig-batch");
    sim.write_kubeconfig(&kubeconfig, "admin", ns)?;
    let env = [("KUBECONFIG", kubeconfig.as_path())];
    let sel = "vm.kubevirt.io/template=rhel9-server-medium";
    sim.faults().set_rtt(opts.rtt);
    rep.line("| N VMs | command | wall (median) | min–max | requests | peak RSS | rows |");
    rep.line("|---|---|---|---|---|---|---|");
    let plans = [
        (
            opts.plugin.as_path(),
            strings(&["create", "-l", sel, "--dry-run=client", "--yes"]),
            0,
        ),
        (
            opts.plugin.as_path(),
            strings(&["prune", "-l", sel, "--keep", "1", "--dry-run=client"]),
            0,
        ),
    ];
    let measured = interleaved(opts, &sim, &plans, &env, opts.runs)?;
    let mut notes = Vec::new();
    for (label, m) in [
        "create -l SEL --dry-run=client",
        "prune -l SEL --keep 1 --dry-run=client",
    ]
    .iter()
    .zip(&measured)
    {
        rep.line(m.row(&n.to_string(), label));
        notes.push(format!("- `{label}`: {}", breakdown(&m.reqs)));
    }
    // The batch with its wait: when did the last snapshot turn ready, when did the report print.
    let mut lat = Vec::new();
    let mut walls = Vec::new();
    let mut wait_reqs = String::new();
    let mut total = 0;
    for _ in 0..opts.runs.min(3) {
        let (tx, rx) = mpsc::channel::<Instant>();
        let mut events = sim.store().subscribe();
        let task = rt.spawn(async move {
            loop {
                match events.recv().await {
                    Ok(ev)
                        if ev.kind == EventType::Modified
                            && ev.gvr.plural == "virtualmachinesnapshots"
                            && ev.object.pointer("/status/readyToUse")
                                == Some(&serde_json::Value::Bool(true)) =>
                    {
                        if tx.send(Instant::now()).is_err() {
                            return;
                        }
                    }
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return,
                }
            }
        });
        let args = ["create", "-l", sel, "--yes", "--timeout", "120s"];
        sim.clear_requests();
        let r = run(opts, &opts.plugin, &args, &env, true)?;
        task.abort();
        if !r.status.success() {
            let err: Vec<&str> = r.stderr_at.iter().map(|(_, l)| l.as_str()).collect();
            bail!("create -l failed: {}", err.join("\n"));
        }
        walls.push(r.wall);
        let reqs = sim.requests();
        total = reqs.len();
        let last_post = reqs
            .iter()
            .rposition(|q| q.method == "POST" && q.path.ends_with("virtualmachinesnapshots"))
            .unwrap_or(0);
        wait_reqs = breakdown(&reqs[last_post + 1..]);
        let ready: Vec<Instant> = rx.try_iter().collect();
        if let Some(last_ready) = ready.iter().max() {
            let at = last_ready.saturating_duration_since(r.started);
            let reported = r.stdout_at.first().map(|(t, _)| *t).unwrap_or(r.wall);
            lat.push(reported.saturating_sub(at));
        }
    }
    rep.line(format!(
        "| {n} | `create -l SEL --yes` (waits) | {} | {}–{} ({} runs) | {total} | | {n} |",
        ms(median(&walls)),
        ms(walls.iter().min().copied().unwrap_or_default()),
        ms(walls.iter().max().copied().unwrap_or_default()),
        walls.len()
    ));
    rep.line("");
    for n in notes {
        rep.line(n);
    }
    rep.line(format!(
        "- `create -l SEL --yes`: requests after the last POST (the wait): {wait_reqs}; last snapshot Ready → report printed: {} median ({} runs)",
        ms1(median(&lat)),
        lat.len()
    ));
    rep.line("");
    rt.block_on(sim.shutdown());
    Ok(())
}

/// `prune -l SEL --keep 1 --dry-run=client` over the first `--snapshots` size (10,000 at
/// full size, 1,000 quick) in one namespace: the plan's wall time, requests and peak RSS, the memory
/// issue 18 asked to bound.
fn prune_bench(
    opts: &Opts,
    rt: &tokio::runtime::Runtime,
    tmp: &Path,
    rep: &mut Report,
) -> anyhow::Result<()> {
    let m = opts.sizes.first().copied().unwrap_or(1_000);
    let n = opts.vms.clamp(1, m.max(1));
    rep.line(format!(
        "### prune -l over {m} snapshots of {n} VMs (one namespace)"
    ));
    rep.line("");
    let sim = rt.block_on(Sim::start(SimConfig {
        controllers: false,
        platforms: vec![Platform::Kubevirt],
        ..SimConfig::empty()
    }))?;
    let ns = "bench-prune";
    let spec = Spec {
        namespaces: vec![ns.into()],
        ..Spec::new(n, m)
    };
    generate::generate(sim.store(), &spec)?;
    let kubeconfig = tmp.join("kubeconfig-prune");
    sim.write_kubeconfig(&kubeconfig, "admin", ns)?;
    let env = [("KUBECONFIG", kubeconfig.as_path())];
    let sel = "vm.kubevirt.io/template=rhel9-server-medium";
    sim.faults().set_rtt(opts.rtt);
    let label = "prune -l SEL --keep 1 --dry-run=client";
    let cmds = [(
        opts.plugin.as_path(),
        strings(&["prune", "-l", sel, "--keep", "1", "--dry-run=client"]),
        0,
    )];
    let measured = interleaved(opts, &sim, &cmds, &env, opts.runs)?;
    rep.line("| M snapshots | command | wall (median) | min–max | requests | peak RSS | rows |");
    rep.line("|---|---|---|---|---|---|---|");
    rep.line(measured[0].row(&m.to_string(), label));
    rep.line("");
    rep.line(format!("- `{label}`: {}", breakdown(&measured[0].reqs)));
    rep.line("");
    rt.block_on(sim.shutdown());
    Ok(())
}
