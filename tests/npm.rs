//! The npm distribution: packs the main package (launcher) and the Linux x64 package (binary),
//! installs the tarballs into a fresh npm project (no registry needed) and runs the tool through
//! `npx` and the launcher: version, a real migration, exit codes, and the error on an unknown
//! platform. Nothing is published.

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

#[test]
fn installs_and_runs_through_npx() {
    let version = env!("CARGO_PKG_VERSION");
    let pack = sh(Command::new("bash")
        .arg(root().join("scripts/npm-pack.sh"))
        .arg("--binary")
        .arg(env!("CARGO_BIN_EXE_alchemy-migrator")));
    assert!(pack.status.success(), "{}", text(&pack));
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
        format!("alchemy-migrator-linux-x64-{version}.tgz"),
    ];
    let install = sh(Command::new("npm")
        .arg("install")
        .args(tarballs.iter().map(|t| root().join("target/npm").join(t)))
        .args(["--no-audit", "--no-fund", "--no-save"])
        .current_dir(&project));
    assert!(install.status.success(), "{}", text(&install));
    let npx = |args: &[&str], cwd: &Path| {
        sh(Command::new("npx")
            .arg("--no-install")
            .arg("alchemy-migrator")
            .args(args)
            .current_dir(cwd))
    };

    let v = npx(&["--version"], &project);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v));
    assert_eq!(
        String::from_utf8_lossy(&v.stdout).trim(),
        format!("alchemy-migrator {version}")
    );

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
        &project,
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

    // Exit codes pass through: 1 for errors in the input, 2 for usage errors.
    let bad = project.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("wrangler.toml"),
        "name = \"w\"\nnode_compat = true\n",
    )
    .unwrap();
    let c = npx(&["check", "--discover", bad.to_str().unwrap()], &project);
    assert_eq!(c.status.code(), Some(1), "{}", text(&c));
    assert!(text(&c).contains("AM0204"));
    let u = npx(&["check", "--format", "nonsense"], &project);
    assert_eq!(u.status.code(), Some(2), "{}", text(&u));

    // Signals pass through: the binary blocks reading a FIFO; SIGTERM to the launcher reaches
    // it, and the launcher dies of the same signal.
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        let fifo = project.join("blocking-fifo.toml");
        let _ = std::fs::remove_file(&fifo);
        assert!(sh(Command::new("mkfifo").arg(&fifo)).status.success());
        let launcher = project.join("node_modules/alchemy-migrator/bin/alchemy-migrator.js");
        let mut child = Command::new("node")
            .arg(&launcher)
            .arg("check")
            .arg(&fifo)
            .current_dir(&project)
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
        .current_dir(&project));
    assert_eq!(p.status.code(), Some(1));
    assert!(
        text(&p).contains("no prebuilt binary for linux-mips64"),
        "{}",
        text(&p)
    );
}
