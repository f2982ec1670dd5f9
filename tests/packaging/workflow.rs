//! Lint of the GitHub Actions workflows.
//!
//! actionlint is not installable on the machines this is developed on (no network for Go
//! tools), so this checks the structure GitHub requires and the project's own promises:
//! every job has runs-on and steps, every step has exactly one of uses/run, actions are
//! pinned to a ref, the release matrix builds exactly the krew manifest's platforms on
//! fitting runners, the archives it names are the manifest's, the scripts it calls exist,
//! and its tag/version guard really rejects a wrong tag (run here with bash).

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

use crate::krew::{self, TARGETS};
use crate::{read, root, run_ok, version_tag, yaml};

const WORKFLOWS: &[&str] = &[".github/workflows/release.yml", ".github/workflows/ci.yml"];

fn release() -> Value {
    yaml(root().join(WORKFLOWS[0]))
}

fn steps(job: &Value) -> Vec<Value> {
    job.get("steps")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn matrix(doc: &Value) -> Vec<Value> {
    doc.pointer("/jobs/build/strategy/matrix/include")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

#[test]
fn workflows_have_the_structure_github_requires() {
    let mut problems = Vec::new();
    for file in WORKFLOWS {
        let doc = yaml(root().join(file));
        // YAML 1.1 readers turn a bare `on` key into true; GitHub reads it as "on".
        if doc.get("on").is_none() {
            problems.push(format!(
                "{file}: no `on:` trigger (keys: {:?})",
                doc.as_object().map(|m| m.keys().collect::<Vec<_>>())
            ));
        }
        if s(&doc, "name").is_empty() {
            problems.push(format!("{file}: no name"));
        }
        let Some(jobs) = doc
            .get("jobs")
            .and_then(Value::as_object)
            .filter(|j| !j.is_empty())
        else {
            problems.push(format!("{file}: no jobs"));
            continue;
        };
        for (id, job) in jobs {
            if job.get("runs-on").is_none() {
                problems.push(format!("{file}: job {id} has no runs-on"));
            }
            if let Some(needs) = job.get("needs").and_then(Value::as_str)
                && !jobs.contains_key(needs)
            {
                problems.push(format!("{file}: job {id} needs unknown job {needs}"));
            }
            let steps = steps(job);
            if steps.is_empty() {
                problems.push(format!("{file}: job {id} has no steps"));
            }
            for (i, step) in steps.iter().enumerate() {
                let at = format!("{file}: job {id} step {i} ({})", s(step, "name"));
                match (step.get("uses"), step.get("run")) {
                    (Some(_), Some(_)) | (None, None) => {
                        problems.push(format!("{at}: needs exactly one of uses/run"))
                    }
                    (Some(uses), None) => {
                        let uses = uses.as_str().unwrap_or_default();
                        if !uses.contains('@') {
                            problems.push(format!("{at}: {uses} is not pinned to a ref"));
                        }
                        if step.get("shell").is_some() {
                            problems.push(format!("{at}: shell only applies to run steps"));
                        }
                    }
                    (None, Some(run)) => {
                        if run.as_str().is_none_or(|r| r.trim().is_empty()) {
                            problems.push(format!("{at}: empty run"));
                        }
                        let shell = s(step, "shell");
                        if !["", "bash", "sh", "pwsh", "powershell", "cmd", "python"]
                            .contains(&shell)
                        {
                            problems.push(format!("{at}: unknown shell {shell}"));
                        }
                    }
                }
                if let Some(map) = step.as_object() {
                    let known = [
                        "name",
                        "id",
                        "if",
                        "uses",
                        "run",
                        "with",
                        "env",
                        "shell",
                        "working-directory",
                        "continue-on-error",
                        "timeout-minutes",
                    ];
                    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
                        problems.push(format!("{at}: unknown step key {key}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn ci_runs_the_repository_entry_point() {
    let doc = yaml(root().join(WORKFLOWS[1]));
    let runs: Vec<String> = doc["jobs"]
        .as_object()
        .into_iter()
        .flat_map(|jobs| jobs.values())
        .flat_map(steps)
        .filter_map(|st| st.get("run").and_then(Value::as_str).map(str::to_owned))
        .collect();
    assert!(runs.iter().any(|r| r.trim() == "bash .ci/run"), "{runs:?}");
}

#[test]
fn release_runs_on_version_tags_and_may_publish() {
    let doc = release();
    assert_eq!(
        doc.pointer("/on/push/tags"),
        Some(&serde_json::json!(["v*"]))
    );
    assert_eq!(
        doc.pointer("/permissions/contents").and_then(Value::as_str),
        Some("write")
    );
    assert_eq!(
        doc.pointer("/jobs/release/needs").and_then(Value::as_str),
        Some("build")
    );
}

#[test]
fn release_matrix_builds_exactly_the_krew_platforms_on_fitting_runners() {
    let doc = release();
    let entries = matrix(&doc);
    let targets: BTreeSet<&str> = entries.iter().map(|e| s(e, "target")).collect();
    let manifest = krew::platforms(&yaml(root().join(krew::TEMPLATE)));
    let manifest_targets: BTreeSet<String> = manifest.iter().map(krew::Platform::target).collect();
    assert_eq!(
        targets,
        manifest_targets.iter().map(String::as_str).collect(),
        "matrix vs manifest"
    );
    assert_eq!(targets, TARGETS.iter().copied().collect());
    for e in &entries {
        let (target, os) = (s(e, "target"), s(e, "os"));
        let runner = match krew::os_arch(target).0.as_str() {
            "linux" => "ubuntu",
            "darwin" => "macos",
            _ => "windows",
        };
        assert!(
            os.starts_with(runner),
            "{target} builds on {os}, wants a {runner} runner"
        );
        if target.contains("linux") {
            assert!(
                target.ends_with("-musl"),
                "{target}: Linux builds are static musl"
            );
            assert_eq!(
                s(e, "builder"),
                "cross",
                "{target}: musl cross-builds use cross"
            );
        } else {
            assert_eq!(s(e, "builder"), "cargo", "{target}");
        }
        let exe = if target.contains("windows") {
            ".exe"
        } else {
            ""
        };
        assert_eq!(s(e, "exe"), exe, "{target}: exe suffix");
    }
    let bin = doc
        .pointer("/jobs/build/env/BIN")
        .and_then(Value::as_str)
        .unwrap_or_default();
    assert_eq!(
        bin,
        "target/${{ matrix.target }}/release/kubectl-vmsnap${{ matrix.exe }}"
    );
}

#[test]
fn release_packages_renders_and_uploads_what_the_manifest_names() {
    let doc = release();
    let runs = |job: &str| -> String {
        steps(&doc["jobs"][job])
            .iter()
            .filter_map(|st| st.get("run").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let build = runs("build");
    let publish = runs("release");
    assert!(
        build.contains("sh scripts/package.sh \"$TARGET\" \"$BIN\" dist"),
        "{build}"
    );
    assert!(
        build.contains("--release --locked --target \"$TARGET\""),
        "{build}"
    );
    assert!(
        publish.contains(
            "sh scripts/render-krew-manifest.sh krew-manifest.yaml dist > dist/vmsnap.yaml"
        ),
        "{publish}"
    );
    assert!(
        publish.contains("--test packaging krew"),
        "the release re-checks its rendered manifest"
    );
    for uploaded in [
        "dist/*.tar.gz",
        "dist/*.zip",
        "dist/*.sha256",
        "dist/SHA256SUMS",
        "dist/vmsnap.yaml",
    ] {
        assert!(publish.contains(uploaded), "release must upload {uploaded}");
    }
    for script in ["scripts/package.sh", "scripts/render-krew-manifest.sh"] {
        let path = root().join(script);
        assert!(path.is_file(), "{script} missing");
        let first = read(&path).lines().next().unwrap_or_default().to_owned();
        assert_eq!(
            first, "#!/bin/sh",
            "{script}: POSIX sh, as the workflow runs it"
        );
    }

    // The archive names the workflow produces (through package.sh) are the manifest's.
    let manifest = krew::platforms(&yaml(root().join(krew::TEMPLATE)));
    let tmp = tempfile::tempdir().expect("tempdir");
    let stand_in = tmp.path().join("kubectl-vmsnap");
    std::fs::write(&stand_in, "x").expect("write");
    for e in matrix(&doc) {
        let target = s(&e, "target");
        let out = run_ok(
            Command::new("sh")
                .arg(root().join("scripts/package.sh"))
                .arg(target)
                .arg(&stand_in)
                .arg(tmp.path()),
        );
        let made = String::from_utf8_lossy(&out.stdout)
            .trim()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let p = manifest
            .iter()
            .find(|p| p.target() == target)
            .expect("manifest platform");
        assert_eq!(
            made,
            p.archive_file(),
            "{target}: archive name vs manifest uri"
        );
        let glob_ext = if made.ends_with(".zip") {
            "dist/*.zip"
        } else {
            "dist/*.tar.gz"
        };
        assert!(publish.contains(glob_ext), "{made} would not be uploaded");
    }
}

#[test]
fn release_tag_guard_accepts_the_cargo_version_and_rejects_others() {
    let doc = release();
    let guard = steps(&doc["jobs"]["build"])
        .into_iter()
        .find(|st| s(st, "name").starts_with("Tag must equal"))
        .and_then(|st| st.get("run").and_then(Value::as_str).map(str::to_owned))
        .expect("tag guard step");
    let run = |tag: &str| {
        Command::new("bash")
            .arg("-c")
            .arg(&guard)
            .current_dir(root())
            .env("GITHUB_REF_NAME", tag)
            .output()
            .expect("run bash")
    };
    assert!(
        run(&version_tag()).status.success(),
        "guard rejects the right tag"
    );
    let wrong = run("v99.0.0");
    assert!(!wrong.status.success(), "guard accepts a wrong tag");
    assert!(String::from_utf8_lossy(&wrong.stdout).contains("does not match"));
}

#[test]
fn release_builds_use_rustls_only_no_openssl_in_the_lock_file() {
    let lock = read(root().join("Cargo.lock"));
    for banned in ["openssl", "openssl-sys", "native-tls", "hyper-tls"] {
        assert!(
            !lock.contains(&format!("name = \"{banned}\"")),
            "{banned} is in Cargo.lock"
        );
    }
    assert!(
        lock.contains("name = \"rustls\""),
        "rustls expected in Cargo.lock"
    );
}
