//! The `alchemy-migrator` binary: a thin shell over [`alchemy_migrator::cli`].

use clap::Parser;

mod allocator;

fn main() {
    // Hostile input must never overflow the stack: run on a thread with a generous stack.
    let child = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(|| {
            alchemy_migrator::cli::run_with(
                alchemy_migrator::cli::Cli::parse(),
                allocator::hand_back,
            )
        })
        .expect("spawning the main thread");
    let code = child.join().unwrap_or(101);
    std::process::exit(code);
}
