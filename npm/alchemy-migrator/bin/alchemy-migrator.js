#!/usr/bin/env node
// Launcher: finds the prebuilt binary for this platform (installed as an optional dependency)
// and runs it with the same arguments, standard streams, signals and exit code.
"use strict";

const { spawn } = require("node:child_process");

// One line per platform package; adding a platform is a new folder in npm/, a line here and one
// in the main package's optionalDependencies. The Linux packages are for glibc (`libc` field).
const PACKAGES = {
  "linux-x64": "@alchemy-migrator/linux-x64",
  "linux-arm64": "@alchemy-migrator/linux-arm64",
  "darwin-x64": "@alchemy-migrator/darwin-x64",
  "darwin-arm64": "@alchemy-migrator/darwin-arm64",
  "win32-x64": "@alchemy-migrator/win32-x64",
};

const platform = `${process.platform}-${process.arch}`;
const pkg = PACKAGES[platform];
const exe = process.platform === "win32" ? "alchemy-migrator.exe" : "alchemy-migrator";

function fail(message) {
  process.stderr.write(`alchemy-migrator: ${message}\n`);
  process.exit(1);
}

// A binary built elsewhere (`cargo install alchemy-migrator` on a platform without a package).
const OVERRIDE = "ALCHEMY_MIGRATOR_BINARY";
const INSTEAD =
  "Install it with Rust instead (cargo install alchemy-migrator) and run `alchemy-migrator`,\n" +
  `or set ${OVERRIDE} to the binary's path to keep using npx.`;

// npm skips the glibc packages on musl (Alpine); the report shows no glibc there.
function isMusl() {
  try {
    return !process.report.getReport().header.glibcVersionRuntime;
  } catch {
    return false;
  }
}

function findBinary() {
  if (process.env[OVERRIDE]) return process.env[OVERRIDE];
  if (!pkg) {
    fail(
      `no prebuilt binary for ${platform} (available: ${Object.keys(PACKAGES).join(", ")}).\n${INSTEAD}`,
    );
  }
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch {
    if (process.platform === "linux" && isMusl()) {
      fail(`no prebuilt binary for ${platform} with musl libc (the packages need glibc).\n${INSTEAD}`);
    }
    fail(
      `the package ${pkg} (the binary for ${platform}) is not installed.\n` +
        "Reinstall without --no-optional / --omit=optional, or: cargo install alchemy-migrator",
    );
  }
}

const binary = findBinary();
const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });

// Pass signals through; the child decides how to stop.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"]) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}

child.on("error", (err) => fail(`cannot run ${binary}: ${err.message}`));
child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, so the caller sees it.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
