//! The `alchemy-migrator` binary: a thin shell over [`alchemy_migrator::cli`].

use clap::Parser;

mod allocator;

fn main() {
    // Hostile input must never overflow the stack: run on a thread with a generous stack.
    let child = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(|| {
            let code = alchemy_migrator::cli::run_with(
                alchemy_migrator::cli::Cli::parse(),
                allocator::hand_back,
            );
            exit_now(code)
        })
        .expect("spawning the main thread");
    // (Only a panic comes back here.)
    let code = child.join().unwrap_or(101);
    std::process::exit(code);
}

/// Ends the process with `code` once stdout and stderr are flushed, without running the exit
/// handlers: mimalloc's collects and hands back every page the allocator holds, one core
/// working alone at the very end of a run (about 10 ms at 10,000 workers) for memory the system
/// takes back whole anyway. Every file the run wrote is already flushed and closed.
fn exit_now(code: i32) -> ! {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    #[cfg(unix)]
    #[allow(unsafe_code)]
    // SAFETY: `_exit` ends the process at once; nothing is left to flush or to clean up that the
    // system does not (files written are flushed and closed, stdout and stderr just flushed).
    unsafe {
        libc::_exit(code)
    }
    #[cfg(not(unix))]
    std::process::exit(code)
}
