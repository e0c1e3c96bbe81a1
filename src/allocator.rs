//! The binary's allocator and its settings (also used by the benchmark, so that its library runs
//! compare with the binary).

use std::alloc::{GlobalAlloc, Layout};

/// A faster allocator: the pipeline allocates many small strings and trees.
#[global_allocator]
static GLOBAL: Mimalloc = Mimalloc;

/// mimalloc, asked through its plain entry points when the alignment is one every block of that
/// size has (the `mimalloc` crate always asks through the aligned ones, which check the
/// alignment first and take a slower path for blocks over a kilobyte: at 1,000 workers, 5% of
/// the instructions went to allocating).
struct Mimalloc;

/// The alignment mimalloc gives every block at least as large (`MI_MAX_ALIGN_SIZE`).
const NATURAL_ALIGN: usize = 16;

/// Whether a block of `size` bytes from the plain entry points is aligned to `align`.
fn naturally_aligned(size: usize, align: usize) -> bool {
    align <= NATURAL_ALIGN && align <= size
}

#[allow(unsafe_code)]
unsafe extern "C" {
    fn mi_malloc(size: usize) -> *mut std::ffi::c_void;
    fn mi_zalloc(size: usize) -> *mut std::ffi::c_void;
    fn mi_realloc(p: *mut std::ffi::c_void, size: usize) -> *mut std::ffi::c_void;
}

// SAFETY: every block comes from mimalloc, aligned as the layout asks (the plain entry points
// only when mimalloc's natural alignment covers it, see `naturally_aligned`), and goes back to
// it (`mi_free` takes any block, however it was allocated).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if naturally_aligned(layout.size(), layout.align()) {
            // SAFETY: see the impl.
            unsafe { mi_malloc(layout.size()).cast() }
        } else {
            // SAFETY: see the impl.
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if naturally_aligned(layout.size(), layout.align()) {
            // SAFETY: see the impl.
            unsafe { mi_zalloc(layout.size()).cast() }
        } else {
            // SAFETY: see the impl.
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: see the impl.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if naturally_aligned(new_size, layout.align()) {
            // SAFETY: see the impl.
            unsafe { mi_realloc(ptr.cast(), new_size).cast() }
        } else {
            // SAFETY: see the impl.
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of every size and alignment come back aligned, are zeroed when asked, and keep
    /// their bytes when they grow or shrink.
    #[test]
    #[allow(unsafe_code)]
    fn blocks_are_aligned_and_keep_their_bytes() {
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 16, 24, 100, 1024, 1025, 5000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                let (grown, shrunk) = (size * 3, size / 2 + 1);
                // SAFETY: layouts of non-zero size; each block is reallocated and freed with
                // the layout it has.
                unsafe {
                    let p = Mimalloc.alloc_zeroed(layout);
                    assert_eq!(p as usize % align, 0, "{size} {align}");
                    assert!(std::slice::from_raw_parts(p, size).iter().all(|b| *b == 0));
                    std::ptr::write_bytes(p, 7, size);
                    let p = Mimalloc.realloc(p, layout, grown);
                    assert_eq!(p as usize % align, 0, "{size} {align} grown");
                    assert!(std::slice::from_raw_parts(p, size).iter().all(|b| *b == 7));
                    let p =
                        Mimalloc.realloc(p, Layout::from_size_align(grown, align).unwrap(), shrunk);
                    assert_eq!(p as usize % align, 0, "{size} {align} shrunk");
                    assert!(
                        std::slice::from_raw_parts(p, shrunk)
                            .iter()
                            .all(|b| *b == 7)
                    );
                    Mimalloc.dealloc(p, Layout::from_size_align(shrunk, align).unwrap());
                    let q = Mimalloc.alloc(layout);
                    assert_eq!(q as usize % align, 0);
                    Mimalloc.dealloc(q, layout);
                }
            }
        }
    }
}
