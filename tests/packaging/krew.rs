//! The krew manifest: krew's validation rules, the template's ties to Cargo.toml, and an
//! install done the way krew does it, from archives built here with the release scripts.
//!
//! Rules follow kubernetes-sigs/krew `internal/index/validation/validate.go` (ValidatePlugin)
//! and `cmd/validate-krew-manifest` (supported os/arch pairs, no overlapping selectors, the
//! older 70/80-column line limits). krew itself is not installable here, so the install is
//! emulated: select the platform for this OS/arch, fetch the uri, check sha256, unpack,
//! apply `files`, link `bin` as `kubectl-vmsnap`, run it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::{plugin_binary, read, root, run_ok, sha256, version_tag, yaml};

pub const TEMPLATE: &str = "krew-manifest.yaml";
/// The name krew-index files the plugin under (plugins/vmsnap.yaml).
pub const PLUGIN_NAME: &str = "vmsnap";

/// (os, arch) pairs krew's CI accepts (`cmd/validate-krew-manifest`).
const SUPPORTED: &[(&str, &str)] = &[
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("linux", "ppc64le"),
    ("darwin", "386"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
];

/// How much of shortDescription `kubectl krew search` shows.
const SEARCH_COLUMN: usize = 50;

/// The six platforms the project ships, as Rust targets: amd64 and arm64 of each OS.
pub const TARGETS: &[&str] = &[
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
    "aarch64-pc-windows-msvc",
];

/// krew's (GOOS, GOARCH) for a Rust target triple.
pub fn os_arch(target: &str) -> (String, String) {
    let arch = match target.split('-').next() {
        Some("x86_64") => "amd64",
        Some("aarch64") => "arm64",
        other => panic!("no GOARCH for {other:?}"),
    };
    let os = if target.contains("linux") {
        "linux"
    } else if target.contains("apple-darwin") {
        "darwin"
    } else if target.contains("windows") {
        "windows"
    } else {
        panic!("no GOOS for {target}")
    };
    (os.to_owned(), arch.to_owned())
}

/// This machine's (GOOS, GOARCH), as krew computes it.
fn host_os_arch() -> (String, String) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    (os.to_owned(), arch.to_owned())
}

/// The archive name the release scripts produce for a target.
pub fn archive_name(version: &str, target: &str) -> String {
    let ext = if target.contains("windows") {
        "zip"
    } else {
        "tar.gz"
    };
    format!("kubectl-vmsnap_{version}_{target}.{ext}")
}

#[derive(Debug, Clone)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub uri: String,
    pub sha256: String,
    pub bin: String,
    pub files: Vec<(String, String)>,
}

impl Platform {
    /// The Rust target named by the uri's archive (kubectl-vmsnap_<v>_<target>.<ext>).
    pub fn target(&self) -> String {
        let file = self.archive_file();
        let stem = file.trim_end_matches(".tar.gz").trim_end_matches(".zip");
        stem.splitn(3, '_').nth(2).unwrap_or_default().to_owned()
    }

    pub fn archive_file(&self) -> String {
        self.uri.rsplit('/').next().unwrap_or_default().to_owned()
    }
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub fn platforms(doc: &Value) -> Vec<Platform> {
    let list = doc
        .pointer("/spec/platforms")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    list.iter()
        .map(|p| Platform {
            os: str_at(p, "/selector/matchLabels/os").to_owned(),
            arch: str_at(p, "/selector/matchLabels/arch").to_owned(),
            uri: str_at(p, "/uri").to_owned(),
            sha256: str_at(p, "/sha256").to_owned(),
            bin: str_at(p, "/bin").to_owned(),
            files: p
                .get("files")
                .and_then(Value::as_array)
                .map(|fs| {
                    fs.iter()
                        .map(|f| (str_at(f, "/from").to_owned(), str_at(f, "/to").to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// Whether sha256 values may still be the template's placeholders.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Hashes {
    Placeholders,
    Real,
}

/// Semantic version as k8s.io/apimachinery's ParseSemantic reads it, after krew's leading `v`.
fn is_semver_with_v(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let (rest, build) = match rest.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (rest, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let idents = |s: &str| {
        s.split('.')
            .all(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(idents)
        && build.is_none_or(idents)
}

fn unknown_keys(v: &Value, allowed: &[&str], at: &str, out: &mut Vec<String>) {
    if let Some(map) = v.as_object() {
        for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
            out.push(format!("{at}: unknown field {key:?}"));
        }
    }
}

/// Every krew rule `doc` breaks, in words; empty when it is valid.
pub fn violations(doc: &Value, expected_name: &str, hashes: Hashes) -> Vec<String> {
    let mut out = Vec::new();
    unknown_keys(
        doc,
        &["apiVersion", "kind", "metadata", "spec"],
        "manifest",
        &mut out,
    );
    unknown_keys(
        doc.get("spec").unwrap_or(&Value::Null),
        &[
            "version",
            "homepage",
            "shortDescription",
            "description",
            "caveats",
            "platforms",
        ],
        "spec",
        &mut out,
    );
    if str_at(doc, "/apiVersion") != "krew.googlecontainertools.github.com/v1alpha2" {
        out.push(format!(
            "apiVersion={:?} not supported",
            str_at(doc, "/apiVersion")
        ));
    }
    if str_at(doc, "/kind") != "Plugin" {
        out.push("only \"Plugin\" is supported as kind".into());
    }
    let name = str_at(doc, "/metadata/name");
    let reserved = |n: &str| {
        let n = n.to_ascii_uppercase();
        ["CON", "PRN", "AUX", "NUL"].contains(&n.as_str())
            || ((n.starts_with("COM") || n.starts_with("LPT"))
                && n.len() == 4
                && (b'1'..=b'9').contains(&n.as_bytes()[3]))
    };
    let word = |n: &str| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    };
    if !word(name) || reserved(name) {
        out.push(format!("the plugin name {name:?} is not allowed"));
    }
    if name != expected_name {
        out.push(format!(
            "plugin should be named {expected_name:?}, not {name:?}"
        ));
    }
    let version = str_at(doc, "/spec/version");
    if !is_semver_with_v(version) {
        out.push(format!(
            "version {version:?} is not a semantic version with a leading v"
        ));
    }
    if !str_at(doc, "/spec/homepage").starts_with("https://") {
        out.push("homepage should be an https URL".into());
    }
    let short = str_at(doc, "/spec/shortDescription");
    if short.trim().is_empty() {
        out.push("should have a short description".into());
    }
    if short.contains(['\r', '\n']) {
        out.push("shortDescription should not have line breaks".into());
    }
    // `kubectl krew search` prints at most 50 characters of it (limitString in
    // kubernetes-sigs/krew cmd/krew/cmd/search.go, commit 0745136): keep it whole there.
    if short.chars().count() > SEARCH_COLUMN {
        out.push(format!(
            "shortDescription is {} chars; krew search cuts it at {SEARCH_COLUMN}",
            short.chars().count()
        ));
    }
    if short.chars().count() >= 70 {
        out.push(format!(
            "shortDescription is {} chars; keep it under 70",
            short.chars().count()
        ));
    }
    let description = str_at(doc, "/spec/description");
    if description.trim().is_empty() {
        out.push("should have a description".into());
    }
    if description.split_whitespace().any(|w| w.starts_with('-'))
        || description.contains("kubectl vmsnap ")
    {
        out.push(
            "description should not list commands or flags (that is what --help is for)".into(),
        );
    }
    for (field, text) in [
        ("description", description),
        ("caveats", str_at(doc, "/spec/caveats")),
    ] {
        for line in text.lines().filter(|l| l.chars().count() > 80) {
            out.push(format!("{field} line longer than 80 chars: {line:?}"));
        }
    }

    let list = doc.pointer("/spec/platforms").and_then(Value::as_array);
    if list.is_none_or(|l| l.is_empty()) {
        out.push("should have a platform specified".into());
    }
    let mut pairs = BTreeSet::new();
    for (i, p) in list.into_iter().flatten().enumerate() {
        let at = format!("platforms[{i}]");
        unknown_keys(
            p,
            &["selector", "uri", "sha256", "bin", "files"],
            &at,
            &mut out,
        );
        match p.get("selector") {
            Some(Value::Object(sel)) if !sel.is_empty() => {
                unknown_keys(
                    &Value::Object(sel.clone()),
                    &["matchLabels", "matchExpressions"],
                    &at,
                    &mut out,
                );
                if sel.get("matchExpressions").is_some() {
                    out.push(format!(
                        "{at}: this project selects by matchLabels os+arch only"
                    ));
                }
                match sel.get("matchLabels") {
                    Some(Value::Object(labels)) if !labels.is_empty() => {
                        unknown_keys(
                            &Value::Object(labels.clone()),
                            &["os", "arch"],
                            &at,
                            &mut out,
                        );
                    }
                    _ => out.push(format!("{at}: matchLabels must be present and not empty")),
                }
            }
            _ => out.push(format!("{at}: selector must be set and not empty")),
        }
        let (os, arch) = (
            str_at(p, "/selector/matchLabels/os"),
            str_at(p, "/selector/matchLabels/arch"),
        );
        if !SUPPORTED.contains(&(os, arch)) {
            out.push(format!(
                "{at}: {os}/{arch} matches no platform krew supports"
            ));
        }
        if !pairs.insert((os.to_owned(), arch.to_owned())) {
            out.push(format!(
                "{at}: overlapping platform selectors for {os}/{arch}"
            ));
        }
        let uri = str_at(p, "/uri");
        if uri.is_empty() {
            out.push(format!("{at}: uri must be set"));
        } else if !(uri.ends_with(".tar.gz") || uri.ends_with(".zip")) {
            out.push(format!(
                "{at}: uri {uri:?} is not a .tar.gz or .zip archive"
            ));
        }
        let sha = str_at(p, "/sha256");
        let real = sha.len() == 64 && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let placeholder = sha.starts_with("@sha256:") && sha.ends_with('@');
        match hashes {
            Hashes::Real if !real => out.push(format!(
                "{at}: sha256 {sha:?} is not 64 lowercase hex digits"
            )),
            Hashes::Placeholders if !real && !placeholder => {
                out.push(format!(
                    "{at}: sha256 {sha:?} is neither a hash nor a placeholder"
                ));
            }
            Hashes::Placeholders if placeholder => {
                let target = &sha["@sha256:".len()..sha.len() - 1];
                if !uri.ends_with(&format!("_{target}.tar.gz"))
                    && !uri.ends_with(&format!("_{target}.zip"))
                {
                    out.push(format!(
                        "{at}: placeholder {sha:?} does not name the uri's target"
                    ));
                }
            }
            _ => {}
        }
        let bin = str_at(p, "/bin");
        if bin.is_empty() {
            out.push(format!("{at}: bin must be set"));
        }
        if os == "windows" && !bin.ends_with(".exe") {
            out.push(format!("{at}: bin {bin:?} on windows must be an .exe"));
        }
        match p.get("files") {
            None => {}
            Some(Value::Array(files)) if !files.is_empty() => {
                for f in files {
                    if str_at(f, "/from").is_empty() || str_at(f, "/to").is_empty() {
                        out.push(format!("{at}: every files entry needs from and to"));
                    }
                }
                let places_bin = files
                    .iter()
                    .any(|f| str_at(f, "/to") == "." && [bin, "*"].contains(&str_at(f, "/from")));
                if !places_bin {
                    out.push(format!(
                        "{at}: no files entry puts {bin:?} in the install directory"
                    ));
                }
            }
            Some(_) => out.push(format!(
                "{at}: files must not be empty (leave it out instead)"
            )),
        }
    }
    out
}

fn template() -> Value {
    yaml(root().join(TEMPLATE))
}

#[test]
fn krew_template_follows_krew_rules_with_placeholder_hashes() {
    let v = violations(&template(), PLUGIN_NAME, Hashes::Placeholders);
    assert!(
        v.is_empty(),
        "{TEMPLATE} breaks krew rules:\n{}",
        v.join("\n")
    );
}

#[test]
fn krew_template_is_never_installable_unrendered() {
    // The placeholders must fail krew's sha256 rule, so an unrendered copy cannot be used.
    let v = violations(&template(), PLUGIN_NAME, Hashes::Real);
    assert_eq!(v.len(), TARGETS.len(), "{v:#?}");
    assert!(
        v.iter().all(|m| m.contains("not 64 lowercase hex")),
        "{v:#?}"
    );
}

#[test]
fn krew_template_tracks_cargo_version_homepage_and_shipped_targets() {
    let doc = template();
    let version = version_tag();
    assert_eq!(
        str_at(&doc, "/spec/version"),
        version,
        "bump krew-manifest.yaml with Cargo.toml"
    );
    assert_eq!(str_at(&doc, "/spec/homepage"), env!("CARGO_PKG_REPOSITORY"));
    let text = read(root().join(TEMPLATE));
    // Every vX.Y.Z in the file (uris, the caveats' store path) is the current version.
    for (i, _) in text.match_indices('v') {
        let digits: String = text[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if digits.matches('.').count() >= 2 {
            assert_eq!(
                format!("v{}", digits.trim_end_matches('.')),
                version,
                "stale version in {TEMPLATE}"
            );
        }
    }
    let platforms = platforms(&doc);
    let targets: Vec<String> = platforms.iter().map(Platform::target).collect();
    assert_eq!(
        targets, TARGETS,
        "platforms must be exactly the shipped targets, in order"
    );
    for p in &platforms {
        let target = p.target();
        assert_eq!(
            (p.os.clone(), p.arch.clone()),
            os_arch(&target),
            "{target}: selector"
        );
        let expected = format!(
            "{}/releases/download/{version}/{}",
            env!("CARGO_PKG_REPOSITORY"),
            archive_name(&version, &target)
        );
        assert_eq!(p.uri, expected, "{target}: uri");
        assert_eq!(
            p.sha256,
            format!("@sha256:{target}@"),
            "{target}: placeholder"
        );
        let windows = target.contains("windows");
        let exe = if windows { ".exe" } else { "" };
        let shim = if windows {
            "kubectl_complete-vmsnap.cmd"
        } else {
            "kubectl_complete-vmsnap"
        };
        assert_eq!(p.bin, format!("kubectl-vmsnap{exe}"), "{target}: bin");
        let files: Vec<(&str, &str)> = p
            .files
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect();
        assert_eq!(
            files,
            [(p.bin.as_str(), "."), (shim, "."), ("LICENSE", ".")],
            "{target}: files"
        );
    }
    let caveats = str_at(&doc, "/spec/caveats");
    assert!(
        caveats.contains("kubectl_complete-vmsnap"),
        "caveats must explain completion setup"
    );
    assert!(caveats.contains("Snapshot feature gate") && caveats.contains("VolumeSnapshotClass"));
    assert!(
        caveats.contains(&format!(
            "store/{PLUGIN_NAME}/{version}/kubectl_complete-vmsnap"
        )),
        "the caveats' copy command must point into krew's store layout"
    );
}

#[test]
fn krew_ships_amd64_and_arm64_for_every_os() {
    let pairs: BTreeSet<(String, String)> = platforms(&template())
        .into_iter()
        .map(|p| (p.os, p.arch))
        .collect();
    for os in ["linux", "darwin", "windows"] {
        for arch in ["amd64", "arm64"] {
            assert!(
                pairs.contains(&(os.to_owned(), arch.to_owned())),
                "no {os}/{arch} platform in {TEMPLATE}"
            );
        }
    }
}

#[test]
fn krew_texts_name_all_three_platforms_and_caveats_work_on_windows() {
    let doc = template();
    let short = str_at(&doc, "/spec/shortDescription");
    let description = str_at(&doc, "/spec/description");
    for word in ["KubeVirt", "vSphere", "Deckhouse"] {
        assert!(
            short.contains(word),
            "shortDescription lacks {word}: {short:?}"
        );
    }
    for words in [
        "KubeVirt",
        "OpenShift Virtualization",
        "VM Operator",
        "vSphere",
        "Deckhouse Virtualization",
    ] {
        assert!(
            description.contains(words),
            "description lacks {words}: {description:?}"
        );
    }
    // One caveats text serves every platform: the helper's copy command for each shell.
    let caveats = str_at(&doc, "/spec/caveats");
    let version = version_tag();
    assert!(
        caveats.contains(&format!(
            "copy \"%USERPROFILE%\\.krew\\store\\{PLUGIN_NAME}\\{version}\\kubectl_complete-vmsnap.cmd\""
        )),
        "caveats need the Windows copy of the .cmd helper:\n{caveats}"
    );
    assert!(
        caveats.contains("\"%USERPROFILE%\\.krew\\bin\\\""),
        "{caveats}"
    );
    // The Windows command runs in cmd.exe, whose line continuation is ^, not \.
    let windows: Vec<&str> = caveats
        .lines()
        .skip_while(|l| !l.starts_with("copy "))
        .take(2)
        .collect();
    assert!(windows[0].ends_with(" ^"), "{windows:?}");
}

/// A change that breaks one rule.
type Mutation = Box<dyn Fn(&mut Value)>;

#[test]
fn krew_rules_reject_each_kind_of_mistake() {
    let cases: Vec<(&str, Mutation, &str)> = vec![
        (
            "apiVersion",
            Box::new(|v| v["apiVersion"] = json!("krew/v1")),
            "apiVersion",
        ),
        ("kind", Box::new(|v| v["kind"] = json!("Tool")), "kind"),
        (
            "name",
            Box::new(|v| v["metadata"]["name"] = json!("vm snap")),
            "not allowed",
        ),
        (
            "reserved",
            Box::new(|v| v["metadata"]["name"] = json!("com1")),
            "not allowed",
        ),
        (
            "file name",
            Box::new(|v| v["metadata"]["name"] = json!("other")),
            "should be named",
        ),
        (
            "no v",
            Box::new(|v| v["spec"]["version"] = json!("0.1.0")),
            "semantic version",
        ),
        (
            "not semver",
            Box::new(|v| v["spec"]["version"] = json!("v1.2")),
            "semantic version",
        ),
        (
            "leading zero",
            Box::new(|v| v["spec"]["version"] = json!("v1.02.0")),
            "semantic version",
        ),
        (
            "short empty",
            Box::new(|v| v["spec"]["shortDescription"] = json!("")),
            "short description",
        ),
        (
            "short breaks",
            Box::new(|v| v["spec"]["shortDescription"] = json!("a\nb")),
            "line breaks",
        ),
        (
            "short long",
            Box::new(|v| v["spec"]["shortDescription"] = json!("x".repeat(70))),
            "under 70",
        ),
        (
            "short cut by search",
            Box::new(|v| v["spec"]["shortDescription"] = json!("x".repeat(51))),
            "krew search cuts",
        ),
        (
            "desc lists flags",
            Box::new(|v| v["spec"]["description"] = json!("Use --stop.\n")),
            "list commands",
        ),
        (
            "desc wide",
            Box::new(|v| v["spec"]["description"] = json!("y".repeat(81))),
            "longer than 80",
        ),
        (
            "caveat wide",
            Box::new(|v| v["spec"]["caveats"] = json!("z".repeat(81))),
            "longer than 80",
        ),
        (
            "typo field",
            Box::new(|v| v["spec"]["shortDesc"] = json!("x")),
            "unknown field",
        ),
        (
            "no platforms",
            Box::new(|v| v["spec"]["platforms"] = json!([])),
            "platform specified",
        ),
        (
            "overlap",
            Box::new(|v| v["spec"]["platforms"][1] = v["spec"]["platforms"][0].clone()),
            "overlapping",
        ),
        (
            "bad os",
            Box::new(|v| {
                v["spec"]["platforms"][0]["selector"]["matchLabels"]["os"] = json!("macos")
            }),
            "supports",
        ),
        (
            "empty labels",
            Box::new(|v| v["spec"]["platforms"][0]["selector"]["matchLabels"] = json!({})),
            "matchLabels",
        ),
        (
            "no selector",
            Box::new(|v| v["spec"]["platforms"][0]["selector"] = json!({})),
            "selector",
        ),
        (
            "uppercase hash",
            Box::new(|v| v["spec"]["platforms"][0]["sha256"] = json!("A".repeat(64))),
            "hex",
        ),
        (
            "no uri",
            Box::new(|v| v["spec"]["platforms"][0]["uri"] = json!("")),
            "uri",
        ),
        (
            "no bin",
            Box::new(|v| v["spec"]["platforms"][0]["bin"] = json!("")),
            "bin must be set",
        ),
        (
            "windows exe",
            Box::new(|v| v["spec"]["platforms"][4]["bin"] = json!("kubectl-vmsnap")),
            ".exe",
        ),
        (
            "empty files",
            Box::new(|v| v["spec"]["platforms"][0]["files"] = json!([])),
            "must not be empty",
        ),
        (
            "file to",
            Box::new(|v| v["spec"]["platforms"][0]["files"][1]["to"] = json!("")),
            "from and to",
        ),
        (
            "bin not placed",
            Box::new(|v| v["spec"]["platforms"][0]["files"][0]["from"] = json!("other")),
            "no files entry",
        ),
    ];
    let mut valid = template();
    for p in valid["spec"]["platforms"]
        .as_array_mut()
        .expect("platforms")
    {
        p["sha256"] = json!("0".repeat(64));
    }
    assert_eq!(
        violations(&valid, PLUGIN_NAME, Hashes::Real),
        Vec::<String>::new()
    );
    for (case, mutate, expected) in cases {
        let mut doc = valid.clone();
        mutate(&mut doc);
        let v = violations(&doc, PLUGIN_NAME, Hashes::Real);
        assert!(
            v.iter().any(|m| m.contains(expected)),
            "{case}: expected {expected:?} in {v:#?}"
        );
    }
}

/// Build every archive with scripts/package.sh into `dist`: the real binary for this
/// machine's platform, a stand-in file for the others (they cannot be built here).
fn package_all(dist: &Path) -> PathBuf {
    let host = host_os_arch();
    let stand_in = dist.with_file_name("stand-in");
    std::fs::write(
        &stand_in,
        "stand-in: this platform is not built by the test\n",
    )
    .expect("write stand-in");
    let mut host_archive = None;
    for target in TARGETS {
        let is_host = os_arch(target) == host;
        let binary = if is_host {
            plugin_binary()
        } else {
            stand_in.clone()
        };
        let out = run_ok(
            Command::new("sh")
                .arg(root().join("scripts/package.sh"))
                .arg(target)
                .arg(&binary)
                .arg(dist),
        );
        let printed = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        assert_eq!(
            printed,
            dist.join(archive_name(&version_tag(), target)),
            "archive name for {target}"
        );
        if is_host {
            host_archive = Some(printed);
        }
    }
    host_archive
        .unwrap_or_else(|| panic!("this machine ({host:?}) is none of the shipped platforms"))
}

fn render(dist: &Path) -> std::process::Output {
    Command::new("sh")
        .arg(root().join("scripts/render-krew-manifest.sh"))
        .arg(root().join(TEMPLATE))
        .arg(dist)
        .output()
        .expect("run render-krew-manifest.sh")
}

/// Names inside an archive, by the tools krew's users have.
fn archive_members(archive: &Path) -> Vec<String> {
    let name = archive.to_string_lossy();
    let out = if name.ends_with(".zip") {
        run_ok(Command::new("unzip").arg("-Z1").arg(archive))
    } else {
        run_ok(Command::new("tar").arg("-tzf").arg(archive))
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_start_matches("./").to_owned())
        .collect()
}

/// What `kubectl krew install` does with one platform: fetch, verify, unpack, move `files`
/// into the store, link `bin` into krew's bin directory. Returns the linked executable.
fn krew_install(p: &Platform, krew_root: &Path, version: &str) -> PathBuf {
    let path = p
        .uri
        .strip_prefix("file://")
        .unwrap_or_else(|| panic!("test uri {:?} is not file://", p.uri));
    let bytes = std::fs::read(path).expect("fetch archive");
    assert_eq!(
        sha256::hex(&bytes),
        p.sha256,
        "sha256 of the fetched archive"
    );
    let staging = krew_root.join("staging");
    std::fs::create_dir_all(&staging).expect("staging dir");
    if path.ends_with(".zip") {
        run_ok(
            Command::new("unzip")
                .arg("-q")
                .arg(path)
                .arg("-d")
                .arg(&staging),
        );
    } else {
        run_ok(
            Command::new("tar")
                .arg("-xzf")
                .arg(path)
                .arg("-C")
                .arg(&staging),
        );
    }
    let install = krew_root.join("store").join(PLUGIN_NAME).join(version);
    for (from, to) in &p.files {
        // `to` is relative to the install directory; "." is the directory itself.
        let dir = if to == "." {
            install.clone()
        } else {
            install.join(to)
        };
        std::fs::create_dir_all(&dir).expect("install dir");
        std::fs::rename(staging.join(from), dir.join(from))
            .unwrap_or_else(|e| panic!("files: move {from}: {e}"));
    }
    let bin = install.join(&p.bin);
    assert!(bin.is_file(), "bin {} missing after install", p.bin);
    let bin_dir = krew_root.join("bin");
    std::fs::create_dir_all(&bin_dir).expect("bin dir");
    let link = bin_dir.join(format!("kubectl-{PLUGIN_NAME}"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(&bin, &link).expect("link bin");
    #[cfg(not(unix))]
    std::fs::copy(&bin, &link).expect("copy bin");
    link
}

#[test]
fn krew_rendered_manifest_installs_a_locally_built_archive_that_runs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dist = tmp.path().join("dist");
    let host_archive = package_all(&dist);

    let out = render(&dist);
    assert!(
        out.status.success(),
        "render failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rendered_text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        !rendered_text.contains("@sha256:"),
        "placeholders left:\n{rendered_text}"
    );
    let rendered: Value = serde_saphyr::from_str(&rendered_text).expect("rendered manifest parses");
    let v = violations(&rendered, PLUGIN_NAME, Hashes::Real);
    assert!(
        v.is_empty(),
        "rendered manifest breaks krew rules:\n{}",
        v.join("\n")
    );
    let mut template_rest = template();
    let mut rendered_rest = rendered.clone();
    for doc in [&mut template_rest, &mut rendered_rest] {
        for p in doc["spec"]["platforms"].as_array_mut().expect("platforms") {
            p["sha256"] = Value::Null;
        }
    }
    assert_eq!(
        rendered_rest, template_rest,
        "rendering must change nothing but the hashes"
    );

    let version = version_tag();
    for p in platforms(&rendered) {
        let archive = dist.join(p.archive_file());
        let bytes = std::fs::read(&archive).expect("archive the uri names");
        assert_eq!(
            p.sha256,
            sha256::hex(&bytes),
            "{}: manifest hash",
            p.target()
        );
        let side = read(dist.join(format!("{}.sha256", p.archive_file())));
        assert_eq!(
            side,
            format!("{}  {}\n", p.sha256, p.archive_file()),
            "{}: .sha256 file",
            p.target()
        );
        let members = archive_members(&archive);
        for (from, _) in &p.files {
            assert!(
                members.contains(from),
                "{}: {from} not in archive {members:?}",
                p.target()
            );
        }
    }

    // Install the platform for this machine the way krew would, from a file:// uri.
    let host = host_os_arch();
    let mut platform = platforms(&rendered)
        .into_iter()
        .find(|p| (p.os.clone(), p.arch.clone()) == host)
        .expect("a platform for this machine");
    assert_eq!(dist.join(platform.archive_file()), host_archive);
    platform.uri = format!("file://{}", host_archive.display());
    let krew_root = tmp.path().join("krew");
    let link = krew_install(&platform, &krew_root, &version);

    let installed = krew_root.join("store").join(PLUGIN_NAME).join(&version);
    #[cfg(unix)]
    for exe in ["kubectl-vmsnap", "kubectl_complete-vmsnap"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(installed.join(exe))
            .expect(exe)
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o111,
            0o111,
            "{exe} must stay executable through the archive"
        );
    }
    assert_eq!(
        read(installed.join("LICENSE")),
        read(root().join("LICENSE"))
    );
    let out = run_ok(Command::new(&link).arg("--version"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(env!("CARGO_PKG_VERSION")),
        "--version printed {stdout:?}"
    );
}

#[test]
fn krew_render_refuses_when_an_archive_is_missing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dist = tmp.path().join("dist");
    std::fs::create_dir_all(&dist).expect("dist");
    let stand_in = tmp.path().join("bin");
    std::fs::write(&stand_in, "x").expect("write");
    for target in &TARGETS[1..] {
        run_ok(
            Command::new("sh")
                .arg(root().join("scripts/package.sh"))
                .arg(target)
                .arg(&stand_in)
                .arg(&dist),
        );
    }
    let out = render(&dist);
    assert!(
        !out.status.success(),
        "render must fail without {}",
        TARGETS[0]
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("no archive for {}", TARGETS[0]))
    );
    assert!(out.stdout.is_empty() || !String::from_utf8_lossy(&out.stdout).contains("apiVersion"));
}

/// In the release workflow, VMSNAP_RENDERED_MANIFEST names dist/vmsnap.yaml: check it by
/// krew's rules and against the archives beside it. Elsewhere there is nothing to check.
#[test]
fn krew_release_manifest_matches_the_archives_beside_it() {
    let Some(path) = std::env::var_os("VMSNAP_RENDERED_MANIFEST") else {
        eprintln!("note: VMSNAP_RENDERED_MANIFEST not set (only the release workflow sets it)");
        return;
    };
    let path = PathBuf::from(path);
    let doc = yaml(&path);
    let v = violations(&doc, PLUGIN_NAME, Hashes::Real);
    assert!(
        v.is_empty(),
        "{} breaks krew rules:\n{}",
        path.display(),
        v.join("\n")
    );
    let dist = path.parent().expect("manifest directory");
    for p in platforms(&doc) {
        let bytes =
            std::fs::read(dist.join(p.archive_file())).expect("archive beside the manifest");
        assert_eq!(p.sha256, sha256::hex(&bytes), "{}", p.archive_file());
    }
}
