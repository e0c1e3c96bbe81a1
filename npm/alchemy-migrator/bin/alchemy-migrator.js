#!/usr/bin/env node
// Launcher: finds the prebuilt binary for this platform (installed as an optional dependency)
// and runs it with the same arguments, standard streams, signals and exit code.
"use strict";

const { spawn } = require("node:child_process");

// One line per platform package; adding a platform is a new folder in npm/ and a line here.
const PACKAGES = {
  "linux-x64": "@alchemy-migrator/linux-x64",
};

const platform = `${process.platform}-${process.arch}`;
const pkg = PACKAGES[platform];
const exe = process.platform === "win32" ? "alchemy-migrator.exe" : "alchemy-migrator";

function fail(message) {
  process.stderr.write(`alchemy-migrator: ${message}\n`);
  process.exit(1);
}

if (!pkg) {
  fail(
    `no prebuilt binary for ${platform} (available: ${Object.keys(PACKAGES).join(", ")}).\n` +
      "Install it with Rust instead: cargo install alchemy-migrator",
  );
}

let binary;
try {
  binary = require.resolve(`${pkg}/bin/${exe}`);
} catch {
  fail(
    `the package ${pkg} (the binary for ${platform}) is not installed.\n` +
      "Reinstall without --no-optional / --omit=optional, or: cargo install alchemy-migrator",
  );
}

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
