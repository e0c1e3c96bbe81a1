//! The binary's allocator and its settings (also used by the benchmark, so that its library runs
//! compare with the binary).

/// A faster allocator: the pipeline allocates many small strings and trees.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Has mimalloc hand freed memory back to the system at the end of each stage rather than
/// keeping it committed: a migration frees the typed model of each worker as it plans it, and
/// without this those pages stay resident next to the plans (measured at 10 000 workers: 267 MB
/// peak resident memory instead of 208). Arenas are committed lazily, and what is freed is
/// purged by [`hand_back`] at the end of each stage, or by the allocator a second after it is
/// freed (options of the mimalloc v3 built in, `mimalloc.h`'s `mi_option_e`), unless the
/// environment sets them. (Purged by the allocator 10 ms after it is freed, memory freed and
/// allocated again within a stage is faulted in again: at 10 000 workers, 88,000 page faults
/// instead of 73,000 and 3% more CPU time, for a peak 10 MB lower, 170 MB against 180 over 60
/// runs; purged at once, 18% more page faults and 8% more CPU; purged only by the allocator,
/// a thread that goes quiet keeps what it freed, and one run in 60 peaked 60 MB higher.)
///
/// It runs before mimalloc's own constructor (priority 101), before its first arena is reserved:
/// set later, the commit option would no longer apply to the arena that holds everything.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod options {
    use std::ffi::{c_char, c_int, c_long};

    const ARENA_EAGER_COMMIT: c_int = 4;
    const PURGE_DELAY: c_int = 15;

    unsafe extern "C" {
        fn mi_option_set(option: c_int, value: c_long);
        fn getenv(name: *const c_char) -> *mut c_char;
    }

    extern "C" fn set() {
        for (option, env, value) in [
            (ARENA_EAGER_COMMIT, c"MIMALLOC_ARENA_EAGER_COMMIT", 0),
            (PURGE_DELAY, c"MIMALLOC_PURGE_DELAY", 1000),
        ] {
            // SAFETY: `getenv` reads the environment libc set up before any constructor, and
            // allocates nothing; `mi_option_set` only stores an integer in mimalloc's option
            // table (both options exist in the v3 this binary links, and take these values).
            unsafe {
                if getenv(env.as_ptr()).is_null() {
                    mi_option_set(option, value);
                }
            }
        }
    }

    #[used]
    #[unsafe(link_section = ".init_array.00100")]
    static SET_BEFORE_MIMALLOC_STARTS: extern "C" fn() = set;
}

/// Has every thread of the pool hand the memory it freed back to the system as soon as it is
/// free: called at the end of each stage of a migration, so that what a stage freed is not held
/// while the next one allocates (see `options`). It does not wait: the threads do it as they take
/// up the next stage's work (waiting cost 10-20 ms on one core after planning).
#[allow(unsafe_code)]
pub fn hand_back() {
    unsafe extern "C" {
        fn mi_collect(force: bool);
    }
    // SAFETY: `mi_collect` only walks the calling thread's heap and the arenas, returning free
    // pages; it may be called at any time from any thread.
    rayon::spawn_broadcast(|_| unsafe { mi_collect(true) });
}
