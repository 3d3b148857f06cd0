//! The project's two commands, for a fresh Debian machine with rustup:
//!
//! * `cargo xtask serve` — build the app and serve it on http://127.0.0.1:8080
//! * `cargo xtask test`  — run every test: core and CLI, components in Chromium,
//!   and end-to-end tests against the release build in headless Chromium.
//!
//! Both install what is missing (the wasm32 target, trunk, wasm-bindgen-cli,
//! wasm-opt, Chromium and ChromeDriver, the end-to-end test's npm packages) and
//! are quick when everything is there. `cargo xtask bench` runs the benchmarks.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const TRUNK_VERSION: &str = "0.21.14";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = project_root();
    if let Err(e) = env::set_current_dir(&root) {
        eprintln!("xtask: cannot enter {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("build") => build_release(),
        Some("bench") => bench(),
        Some("setup") => setup_all(),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  serve   build the app and serve it on http://127.0.0.1:8080\n  test    run every test (installs what is missing)\n  build   release build into dist/\n  bench   run the benchmarks (native and in headless Chromium)\n  setup   install every tool the commands need"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn step(what: &str) {
    eprintln!("\n==> {what}");
}

fn run(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} failed ({status})")) }
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|s| s.trim() == "0")
}

fn prepend_path(dir: &Path) {
    let path = env::var_os("PATH").unwrap_or_default();
    let mut parts: Vec<PathBuf> = env::split_paths(&path).collect();
    if parts.first().map(PathBuf::as_path) != Some(dir) {
        parts.retain(|p| p != dir);
        parts.insert(0, dir.to_path_buf());
        // SAFETY: xtask is single-threaded; only this process's environment changes.
        unsafe { env::set_var("PATH", env::join_paths(parts).expect("valid PATH")) };
    }
}

fn cargo_bin_on_path() {
    let home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = home {
        let bin = home.join("bin");
        let path = env::var_os("PATH").unwrap_or_default();
        if !env::split_paths(&path).any(|p| p == bin) {
            prepend_path(&bin);
        }
    }
}

// ---------------------------------------------------------------- tools

fn ensure_wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        step("installing the wasm32-unknown-unknown target");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

fn ensure_trunk() -> Result {
    let have = output("trunk", &["--version"]).unwrap_or_default();
    if !have.contains(TRUNK_VERSION) {
        step(&format!("installing trunk {TRUNK_VERSION} (about 11 minutes on 2 cores, once)"));
        run(Command::new("cargo").args(["install", "--locked", &format!("trunk@{TRUNK_VERSION}")]))?;
    }
    Ok(())
}

/// The wasm-bindgen version pinned in Cargo.lock.
fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|v| v.trim().strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock names no wasm-bindgen version".into())
}

fn ensure_wasm_bindgen() -> Result {
    let version = wasm_bindgen_version()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = output("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    if !have.contains(&version) || !runner.contains(&version) {
        step(&format!("installing wasm-bindgen-cli {version} (about 4 minutes, once)"));
        run(Command::new("cargo").args(["install", "--force", "wasm-bindgen-cli", "--version", &version]))?;
    }
    Ok(())
}

fn apt_install(packages: &[&str], why: &str) -> Result {
    if !is_root() {
        return Err(format!(
            "{why} needs these Debian packages: {}. Install them with\n    sudo apt-get install -y {}\nand run the command again.",
            packages.join(", "),
            packages.join(" ")
        ));
    }
    step(&format!("installing {} from Debian's packages", packages.join(", ")));
    run(Command::new("apt-get").arg("update").stdout(Stdio::null()))?;
    run(Command::new("apt-get").args(["install", "-y", "--no-install-recommends"]).args(packages).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// wasm-opt from the npm package `binaryen` (Debian's wasm-opt 108 breaks the
/// externref table of current wasm-bindgen output), kept in target/tools and put
/// first on PATH so trunk uses it.
const BINARYEN: &str = "132.0.0";

fn ensure_wasm_opt() -> Result {
    let tools = project_root().join("target/tools");
    let bin = tools.join("node_modules/.bin");
    prepend_path(&bin);
    let have = output(bin.join("wasm-opt").to_str().unwrap_or("wasm-opt"), &["--version"]).unwrap_or_default();
    if !have.contains(&format!("version_{}", BINARYEN.split('.').next().unwrap_or(BINARYEN))) {
        ensure_node()?;
        step(&format!("installing wasm-opt (npm package binaryen@{BINARYEN})"));
        std::fs::create_dir_all(&tools).map_err(|e| format!("cannot create {}: {e}", tools.display()))?;
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
            .arg(&tools)
            .arg(format!("binaryen@{BINARYEN}")))?;
    }
    Ok(())
}

fn ensure_node() -> Result {
    if output("node", &["--version"]).is_none() || output("npm", &["--version"]).is_none() {
        apt_install(&["nodejs", "npm"], "the release build and the end-to-end tests")?;
    }
    Ok(())
}

fn ensure_browser() -> Result {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).exists() {
        missing.push("chromium");
    }
    if !Path::new(CHROMEDRIVER).exists() {
        missing.push("chromium-driver");
    }
    if !missing.is_empty() {
        apt_install(&missing, "the browser tests")?;
    }
    Ok(())
}

fn ensure_node_packages() -> Result {
    ensure_node()?;
    if !Path::new("tests/e2e/node_modules/playwright-core/package.json").exists() {
        step("installing the end-to-end tests' npm packages");
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir("tests/e2e"))?;
    }
    Ok(())
}

fn setup_web() -> Result {
    cargo_bin_on_path();
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_trunk()
}

fn setup_all() -> Result {
    setup_web()?;
    ensure_wasm_opt()?;
    ensure_browser()?;
    ensure_node_packages()
}

// ---------------------------------------------------------------- commands

fn serve(extra: &[String]) -> Result {
    setup_web()?;
    step("building and serving Marginalia on http://127.0.0.1:8080 (Ctrl+C stops)");
    run(Command::new("trunk").args(["serve", "--offline"]).args(extra))
}

fn build_release() -> Result {
    setup_web()?;
    ensure_wasm_opt()?;
    step("release build into dist/");
    run(Command::new("trunk").args(["build", "--release", "--offline"]))
}

fn test(extra: &[String]) -> Result {
    let only = extra.first().map(String::as_str);
    if only.is_none() || only == Some("core") {
        step("core and CLI tests (cargo test)");
        run(Command::new("cargo").args(["test", "-p", "marginalia-core", "-p", "marginalia-cli"]))?;
    }
    if only == Some("core") {
        return Ok(());
    }
    setup_all()?;
    if only.is_none() || only == Some("wasm") {
        step("component tests in headless Chromium (wasm-bindgen-test)");
        run(Command::new("cargo")
            .args(["test", "-p", "marginalia-web", "--target", "wasm32-unknown-unknown"])
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"))?;
    }
    if only.is_none() || only == Some("e2e") {
        build_release()?;
        step("end-to-end tests against the release build in headless Chromium");
        run(Command::new("node")
            .args(["--test", "--test-concurrency=1"])
            .arg("tests/e2e/")
            .env("CHROMIUM", CHROMIUM))?;
    }
    Ok(())
}

fn bench() -> Result {
    step("native benchmarks (criterion)");
    run(Command::new("cargo").args(["bench", "-p", "marginalia-core"]))?;
    setup_all()?;
    build_release()?;
    step("browser benchmark (headless Chromium, release build)");
    run(Command::new("node").arg("tests/e2e/bench.mjs").env("CHROMIUM", CHROMIUM))
}
