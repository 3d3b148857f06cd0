//! The project's two commands, for a fresh Debian machine with rustup:
//!
//! * `cargo xtask serve` — build the app and serve it on http://127.0.0.1:8080
//! * `cargo xtask test`  — run every test: core and CLI, components in Chromium,
//!   and end-to-end tests against the release build in headless Chromium.
//!
//! Both install what is missing (the wasm32 target, trunk, wasm-bindgen-cli,
//! wasm-opt, Chromium and ChromeDriver, the end-to-end test's npm packages) and
//! are quick when everything is there. `cargo xtask bench` runs the benchmarks;
//! `cargo xtask fuzz [SECONDS]` runs every fuzz target for a bounded time.

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
        Some("fuzz") => fuzz(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  serve   build the app and serve it on http://127.0.0.1:8080\n  test    run every test (installs what is missing); test core|consumers|wasm|e2e|fuzz runs one part\n  build   release build into dist/\n  bench   run the benchmarks (native and in headless Chromium)\n  setup   install every tool the commands need\n  fuzz    run every fuzz target (default {FUZZ_SECONDS} s each; `fuzz 300` for longer)"
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
    ensure_xmllint()?;
    ensure_node_packages()
}

// ---------------------------------------------------------------- commands

fn serve(extra: &[String]) -> Result {
    setup_web()?;
    step("building and serving Marginalia on http://127.0.0.1:8080 (Ctrl+C stops)");
    run(Command::new("trunk").args(["serve", "--offline"]).args(extra))
}

/// rustc flags for the release build's wasm, on top of the release profile
/// (opt-level z, LTO, one codegen unit). `panic=immediate-abort` drops the
/// panic machinery (a panic traps and index.html tells the user); the two
/// `-Z` flags drop Debug formatting and panic locations. With the standard
/// library rebuilt with the app (`build-std`, which immediate-abort needs),
/// they take the gzipped wasm from 607 KB to about 555 KB. std is built with
/// its `optimize_for_size` feature (smaller sorting, formatting and hashing
/// code): 16 KB less, with no slowdown seen in paired benchmark runs. They
/// are unstable options: stable rustc accepts them with RUSTC_BOOTSTRAP=1,
/// set for this build only.
const RELEASE_WASM_RUSTFLAGS: &str =
    "--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none";

fn ensure_rust_src() -> Result {
    let installed = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim().starts_with("rust-src")) {
        step("installing the rust-src component (the release build rebuilds the standard library for size)");
        run(Command::new("rustup").args(["component", "add", "rust-src"]))?;
    }
    Ok(())
}

/// The standard library rebuilt with the app (build-std) has dependencies of its
/// own, which `trunk build --offline` must find in cargo's cache: fetched here
/// (quick when they are there already).
fn fetch_std_dependencies() -> Result {
    let sysroot = output("rustc", &["--print", "sysroot"]).ok_or("cannot run rustc --print sysroot")?;
    let manifest = Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library/Cargo.toml");
    run(Command::new("cargo")
        .args(["fetch", "--quiet", "--target", "wasm32-unknown-unknown", "--manifest-path"])
        .arg(manifest)
        .env("RUSTC_BOOTSTRAP", "1"))
}

fn build_release() -> Result {
    setup_web()?;
    ensure_wasm_opt()?;
    ensure_rust_src()?;
    fetch_std_dependencies()?;
    step("release build into dist/");
    run(Command::new("trunk")
        .args(["build", "--release", "--offline"])
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", RELEASE_WASM_RUSTFLAGS))
}

fn test(extra: &[String]) -> Result {
    let only = extra.first().map(String::as_str);
    if only.is_none() || only == Some("core") {
        // core/tests/refi_schema.rs validates the REFI-QDA exports with xmllint.
        ensure_xmllint()?;
        step("core and CLI tests (cargo test)");
        run(Command::new("cargo").args(["test", "-p", "marginalia-core", "-p", "marginalia-cli", "-p", "crc32fast"]))?;
    }
    if only.is_none() || only == Some("consumers") {
        consumers()?;
    }
    if only == Some("fuzz") {
        return fuzz_for(CI_FUZZ_SECONDS);
    }
    if matches!(only, Some("core" | "consumers")) {
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
    if only.is_none() {
        fuzz_for(CI_FUZZ_SECONDS)?;
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

// ---------------------------------------------------------------- consumer checks

/// Cargo's target folder (where the CLI is built and the checks write).
fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map_or_else(|| project_root().join("target"), PathBuf::from)
}

fn ensure_xmllint() -> Result {
    let have = Command::new("xmllint").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !have.is_ok_and(|s| s.success()) {
        apt_install(&["libxml2-utils"], "the consumer checks (xmllint validates the REFI-QDA exports)")?;
    }
    Ok(())
}

/// A Python virtual environment in target/consumers-venv with the packages
/// pinned in tests/consumers/requirements.txt (wheels only); pip runs again
/// only when that file changes. Returns the environment's python.
fn ensure_consumers_venv() -> Result<PathBuf> {
    let venv = target_dir().join("consumers-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        step("creating the consumer checks' Python environment (target/consumers-venv)");
        if output("python3", &["--version"]).is_none() {
            apt_install(&["python3", "python3-venv"], "the consumer checks")?;
        }
        if run(Command::new("python3").args(["-m", "venv"]).arg(&venv)).is_err() {
            // Debian's python3 comes without venv (ensurepip) until python3-venv is installed.
            let _ = std::fs::remove_dir_all(&venv);
            apt_install(&["python3-venv"], "the consumer checks' Python environment")?;
            run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        }
    }
    let requirements = "tests/consumers/requirements.txt";
    let wanted = std::fs::read_to_string(requirements).map_err(|e| format!("cannot read {requirements}: {e}"))?;
    let stamp = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        step("installing the consumer checks' Python packages (pandas, spaCy, jsonschema: wheels from PyPI)");
        run(Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", "--only-binary=:all:", "-r"])
            .arg(requirements))?;
        std::fs::write(&stamp, wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    }
    Ok(python)
}

/// Every export of the CLI read by the software that reads it (tests/consumers/).
fn consumers() -> Result {
    ensure_xmllint()?;
    let python = ensure_consumers_venv()?;
    let dir = target_dir().join("consumers");
    step("consumer checks: the CLI and the fixture (a backup coding the five reports and a user text)");
    run(Command::new("cargo").args(["build", "--quiet", "-p", "marginalia-cli"]))?;
    run(Command::new("cargo")
        .args(["run", "--quiet", "-p", "marginalia-core", "--example", "consumer_fixture", "--"])
        .arg(&dir))?;
    step("consumer checks: every export read by pandas, spaCy, JSON Schema (W3C), xmllint (REFI-QDA), brat and Label Studio rules");
    run(Command::new(&python)
        .arg("tests/consumers/run.py")
        .arg("--cli")
        .arg(target_dir().join("debug/marginalia"))
        .arg("--dir")
        .arg(&dir))
}

// ---------------------------------------------------------------- fuzzing

const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Seconds per target for `cargo xtask fuzz` and for the run in `cargo xtask test`.
const FUZZ_SECONDS: u64 = 20;
const CI_FUZZ_SECONDS: u64 = 10;

fn fuzz(args: &[String]) -> Result {
    let seconds = match args.first() {
        Some(s) => s.parse().map_err(|_| format!("fuzz takes a number of seconds per target, not {s:?}"))?,
        None => FUZZ_SECONDS,
    };
    fuzz_for(seconds)
}

fn ensure_cargo_fuzz() -> Result {
    cargo_bin_on_path();
    let have = output("cargo", &["fuzz", "--version"]).unwrap_or_default();
    if !have.contains(CARGO_FUZZ_VERSION) {
        step(&format!("installing cargo-fuzz {CARGO_FUZZ_VERSION} (about a minute, once)"));
        run(Command::new("cargo").args(["install", "--locked", &format!("cargo-fuzz@{CARGO_FUZZ_VERSION}")]))?;
    }
    Ok(())
}

/// Runs every target of fuzz/Cargo.toml for `seconds` each, from its seeds
/// (fuzz/seeds/<target>, kept in git) and the corpus earlier runs grew
/// (fuzz/corpus/<target>, not kept). libFuzzer needs nightly flags; stable
/// rustc accepts them with RUSTC_BOOTSTRAP=1, set for these commands only.
fn fuzz_for(seconds: u64) -> Result {
    ensure_cargo_fuzz()?;
    let fuzz = |args: &[&str]| {
        let mut c = Command::new("cargo");
        c.arg("fuzz").args(args).current_dir("fuzz").env("RUSTC_BOOTSTRAP", "1");
        c
    };
    let listed = fuzz(&["list"]).output().map_err(|e| format!("cannot run cargo fuzz list: {e}"))?;
    let targets: Vec<String> = String::from_utf8_lossy(&listed.stdout).split_whitespace().map(String::from).collect();
    if targets.is_empty() {
        return Err("cargo fuzz list found no fuzz targets in fuzz/".into());
    }
    step(&format!("building {} fuzz targets (libFuzzer, address sanitizer, debug assertions)", targets.len()));
    run(&mut fuzz(&["build", "--debug-assertions"]))?;
    for t in &targets {
        step(&format!("fuzzing {t} for {seconds} s"));
        let corpus = format!("corpus/{t}");
        std::fs::create_dir_all(Path::new("fuzz").join(&corpus)).map_err(|e| format!("cannot create fuzz/{corpus}: {e}"))?;
        let seeds = format!("seeds/{t}");
        let mut args = vec!["run", "--debug-assertions", t.as_str(), corpus.as_str()];
        if Path::new("fuzz").join(&seeds).is_dir() {
            args.push(&seeds);
        }
        let time = format!("-max_total_time={seconds}");
        args.extend(["--", &time, "-dict=json.dict", "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1"]);
        run(&mut fuzz(&args)).map_err(|_| {
            format!(
                "fuzz target {t} found an input that fails: it is in fuzz/artifacts/{t}/; \
                 reproduce with `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run {t} artifacts/{t}/<file>`"
            )
        })?;
    }
    Ok(())
}
