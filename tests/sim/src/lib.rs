//! vmsnap-sim: a simulated Kubernetes cluster speaking the real REST protocol on loopback,
//! with KubeVirt, CDI and CSI snapshot kinds and controllers, for kubectl-vmsnap's tests
//! and demo.
//!
//! ```no_run
//! # async fn f() -> anyhow::Result<()> {
//! let sim = vmsnap_sim::Sim::start(vmsnap_sim::SimConfig::default()).await?;
//! let kubeconfig = sim.kubeconfig("admin", "default");
//! # let _ = kubeconfig; Ok(()) }
//! ```

pub mod clock;
pub mod controllers;
pub mod demo;
pub mod error;
pub mod generate;
pub mod kubeconfig;
pub mod registry;
pub mod scenario;
pub mod schema;
pub mod server;
pub mod store;
pub mod testing;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use clock::SimClock;
pub use error::ApiError;
pub use registry::{Platform, Registry};
pub use scenario::Scenario;
pub use server::RequestRecord;
pub use server::auth::{Rule, User};
pub use server::faults::{FaultRule, Faults};
pub use store::{Event, EventType, Gvr, Store};

/// How to start a simulator.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Default 127.0.0.1:0 (a free port).
    pub addr: SocketAddr,
    /// Files or directories of YAML documents (+ optional sim.yaml); later override earlier.
    pub scenarios: Vec<PathBuf>,
    /// Load the built-in default scenario first.
    pub default_scenario: bool,
    /// Reference CRD directory; None = `VMSNAP_SIM_SCHEMAS`, then `../shared/reference` found
    /// from the crate or the working directory; none found = schema validation off.
    pub schemas: Option<PathBuf>,
    /// Latency added to every client request.
    pub rtt: Duration,
    /// Scripted controller durations are multiplied by this (tests: 0.01 or 0).
    pub time_scale: f64,
    /// Log requests and start-up notes to stderr.
    pub verbose: bool,
    /// Run the simulated controllers (off for tests of the bare protocol).
    pub controllers: bool,
    /// Timestamps start at this instant and advance by simulated time (frozen with a zero
    /// `time_scale`): reproducible transcripts. Process-wide: see [`clock::start_at`].
    pub start_time: Option<jiff::Timestamp>,
    /// Platforms to serve besides those the scenarios' `sim.yaml` files declare; when neither
    /// names any, all are served.
    pub platforms: Vec<Platform>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            scenarios: vec![],
            default_scenario: true,
            schemas: None,
            rtt: Duration::ZERO,
            time_scale: 1.0,
            verbose: false,
            controllers: true,
            start_time: None,
            platforms: Vec::new(),
        }
    }
}

impl SimConfig {
    /// An empty cluster (no default scenario) with instant controllers: the usual test setup.
    pub fn empty() -> Self {
        SimConfig {
            default_scenario: false,
            time_scale: 0.0,
            ..SimConfig::default()
        }
    }
}

/// The files of the built-in default scenario, embedded at build time.
pub fn default_scenario_files() -> &'static [(&'static str, &'static str)] {
    include!(concat!(env!("OUT_DIR"), "/default_scenario.rs"))
}

/// The files of the VM Operator scenario (tests/sim/scenarios/vmoperator), embedded.
pub fn vmoperator_scenario_files() -> &'static [(&'static str, &'static str)] {
    include!(concat!(env!("OUT_DIR"), "/vmoperator_scenario.rs"))
}

/// The files of the Deckhouse scenario (tests/sim/scenarios/deckhouse), embedded.
pub fn deckhouse_scenario_files() -> &'static [(&'static str, &'static str)] {
    include!(concat!(env!("OUT_DIR"), "/deckhouse_scenario.rs"))
}

/// The reference schema directory to use, if any (see [`SimConfig::schemas`]).
pub fn find_schema_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("VMSNAP_SIM_SCHEMAS") {
        return Some(PathBuf::from(p));
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // tests/sim -> repository root -> its parent holds shared/reference.
    let mut candidates = vec![
        manifest.join("../../../shared/reference"),
        manifest.join("../../shared/reference"),
    ];
    if let Ok(cwd) = std::env::current_dir() {
        candidates.push(cwd.join("../shared/reference"));
        candidates.push(cwd.join("shared/reference"));
    }
    candidates.into_iter().find(|p| p.is_dir())
}

/// A running simulator. Dropping it (or [`Sim::shutdown`]) stops the server.
pub struct Sim {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    scenario: Scenario,
    shutdown: watch::Sender<bool>,
    server_task: Option<tokio::task::JoinHandle<()>>,
    controller_tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Sim {
    /// Load scenarios and schemas, bind, and start serving and the controllers.
    pub async fn start(config: SimConfig) -> anyhow::Result<Sim> {
        let mut registry = Registry::builtin();
        match find_schema_dir(config.schemas.as_deref()) {
            Some(dir) => {
                let errors = registry
                    .load_schemas(&dir)
                    .with_context(|| format!("failed to load schemas from {}", dir.display()))?;
                if config.verbose {
                    for e in errors {
                        eprintln!("vmsnap-sim: skipped a schema: {e:#}");
                    }
                }
                if !registry.schema_validation {
                    eprintln!(
                        "vmsnap-sim: no CRD schemas found in {}: schema validation is off",
                        dir.display()
                    );
                }
            }
            None => eprintln!(
                "vmsnap-sim: no CRD schemas found (set --schemas or VMSNAP_SIM_SCHEMAS): schema validation is off"
            ),
        }

        let mut scenario = Scenario::default();
        if config.default_scenario {
            for (name, text) in default_scenario_files() {
                scenario
                    .load_str(name, text)
                    .with_context(|| format!("failed to load the default scenario file {name}"))?;
            }
        }
        for path in &config.scenarios {
            scenario.load_path(path)?;
        }
        if !config.platforms.is_empty() {
            scenario
                .platforms
                .get_or_insert_with(Default::default)
                .extend(config.platforms.iter().copied());
        }
        if let Some(platforms) = &scenario.platforms {
            registry.retain_platforms(platforms);
        }
        for (group, versions) in &scenario.served_versions {
            registry.retain_versions(group, versions);
        }
        if let Some(at) = config.start_time {
            clock::start_at(at, config.time_scale);
        }
        let store = Store::new();
        scenario.apply(&store, &registry)?;

        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("failed to bind {}", config.addr))?;
        let addr = listener.local_addr()?;
        let (tx, rx) = watch::channel(false);
        let faults = Faults::default();
        faults.set_rtt(config.rtt);
        for f in &scenario.faults {
            faults.fail(f.clone());
        }
        let shared = Arc::new(server::Shared::new(
            store,
            registry,
            scenario.users.clone(),
            faults,
            addr,
            rx.clone(),
            config.verbose,
            SimClock::new(config.time_scale),
        ));
        let controller_tasks = if config.controllers {
            spawn_controllers(&shared, &scenario, &config)?
        } else {
            vec![]
        };
        let server_task = tokio::spawn(server::serve(listener, shared.clone(), rx));
        Ok(Sim {
            addr,
            shared,
            scenario,
            shutdown: tx,
            server_task: Some(server_task),
            controller_tasks,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (the same port also speaks TLS, see [`Sim::https_url`]).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `https://127.0.0.1:PORT`: what kubeconfigs use, since kubectl sends tokens only over TLS.
    pub fn https_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The CA certificate (PEM) of the simulator's TLS certificate.
    pub fn ca_pem(&self) -> &'static str {
        server::tls::CA_PEM
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub fn registry(&self) -> &Registry {
        &self.shared.registry
    }

    /// The token of a known user.
    pub fn token(&self, user: &str) -> Option<String> {
        self.shared
            .users()
            .iter()
            .find(|u| u.name == user)
            .map(User::token)
    }

    /// The scenario's default user (`admin` unless sim.yaml says otherwise) and namespace.
    pub fn default_user(&self) -> &str {
        &self.scenario.default_user
    }

    pub fn default_namespace(&self) -> &str {
        &self.scenario.namespace
    }

    /// Mark a served version deprecated from now on: every answer about its resources carries
    /// `Warning: 299 - "<warning>"`, as the API server sends a CRD version's
    /// `deprecationWarning`. kubevirt.io/v1alpha3 is deprecated from the start.
    pub fn deprecate_version(&self, group: &str, version: &str, warning: &str) {
        self.shared.deprecate_version(group, version, warning);
    }

    /// Add or replace a user at run time.
    pub fn add_user(&self, user: User) {
        self.shared.add_user(user);
    }

    /// A kubeconfig (YAML, https with the simulator's CA) with cluster, context and user all named `vmsnap-sim`, using the
    /// token of `user` (an unknown user gets `<user>-token`, which the server answers with 401).
    pub fn kubeconfig(&self, user: &str, namespace: &str) -> String {
        let token = self.token(user).unwrap_or_else(|| format!("{user}-token"));
        kubeconfig::render(&self.https_url(), user, &token, namespace)
    }

    pub fn write_kubeconfig(&self, path: &Path, user: &str, namespace: &str) -> anyhow::Result<()> {
        kubeconfig::write_atomic(path, &self.kubeconfig(user, namespace))
    }

    /// Client requests, in order (controller writes are not requests).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.requests()
    }

    /// Client requests that write (POST/PUT/PATCH/DELETE), dry-run ones included and flagged.
    pub fn writes(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(RequestRecord::is_write)
            .collect()
    }

    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Whether CRD schemas were found (validation of custom resources on).
    pub fn schema_validation(&self) -> bool {
        self.shared.registry.schema_validation
    }

    /// The clock controllers use.
    pub fn clock(&self) -> SimClock {
        self.shared.clock
    }

    /// Stop serving and the controllers.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for t in &self.controller_tasks {
            t.abort();
        }
        if let Some(t) = self.server_task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = &self.server_task {
            t.abort();
        }
        for t in &self.controller_tasks {
            t.abort();
        }
    }
}

fn spawn_controllers(
    shared: &Arc<server::Shared>,
    scenario: &Scenario,
    config: &SimConfig,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let mut cfg: controllers::ControllerConfig = if scenario
        .controllers
        .as_object()
        .is_none_or(|m| m.is_empty())
    {
        controllers::ControllerConfig::default()
    } else {
        serde_json::from_value(scenario.controllers.clone())
            .context("failed to read the controllers section of sim.yaml")?
    };
    // The simulator's time scale multiplies whatever sim.yaml asks for.
    cfg.time_scale *= config.time_scale;
    Ok(controllers::spawn_all(shared.store.clone(), Arc::new(cfg)))
}
