//! What a client process measures about itself: CPU time (getrusage, user + system, all
//! threads), resident memory (`/proc/self/statm`), live heap bytes (a counting global
//! allocator the bench binary installs), and raising the open-file limit for 1,000 shards.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};
use std::time::Duration;

/// What the whole process (every thread) has used so far, from getrusage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// CPU time in user mode.
    pub user: Duration,
    /// CPU time in the kernel.
    pub system: Duration,
    /// Voluntary context switches (a thread waited: a read with no data, a parked worker).
    pub voluntary_switches: u64,
}

impl Usage {
    /// The usage so far.
    pub fn now() -> Usage {
        // SAFETY: getrusage only writes the struct it is given; zeroed is a valid rusage.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            let rc = libc::getrusage(libc::RUSAGE_SELF, &mut usage);
            assert_eq!(rc, 0, "getrusage(RUSAGE_SELF) cannot fail");
            usage
        };
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        Usage {
            user: time(usage.ru_utime),
            system: time(usage.ru_stime),
            voluntary_switches: usage.ru_nvcsw as u64,
        }
    }

    /// User plus system time.
    pub fn cpu(&self) -> Duration {
        self.user + self.system
    }

    /// What was used between `earlier` and `self`.
    pub fn since(&self, earlier: &Usage) -> Usage {
        Usage {
            user: self.user - earlier.user,
            system: self.system - earlier.system,
            voluntary_switches: self.voluntary_switches - earlier.voluntary_switches,
        }
    }
}

/// Resident set size of this process in bytes, from `/proc/self/statm`.
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("statm's second field is the resident page count");
    // SAFETY: sysconf has no preconditions.
    let page_size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page_size as u64
}

/// Raises the soft open-file limit to the hard limit; returns the new soft limit.
pub fn raise_fd_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit read and write the struct given; zeroed is valid.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur
    }
}

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);

/// Slots of the size census: live blocks counted per exact size (open addressing).
const CENSUS_SLOTS: usize = 8192;
static CENSUS_ON: AtomicBool = AtomicBool::new(false);
static CENSUS_SIZE: [AtomicUsize; CENSUS_SLOTS] = [const { AtomicUsize::new(0) }; CENSUS_SLOTS];
static CENSUS_LIVE: [AtomicIsize; CENSUS_SLOTS] = [const { AtomicIsize::new(0) }; CENSUS_SLOTS];

/// Sizes whose allocations print a backtrace (`GWBENCH_TRACE_SIZES=65536,11136`), 4 at most.
static TRACE_SIZES: [AtomicUsize; 4] = [const { AtomicUsize::new(0) }; 4];
static TRACES_LEFT: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static TRACING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn trace(size: usize) {
    if TRACES_LEFT.load(Ordering::Relaxed) <= 0
        || !TRACE_SIZES
            .iter()
            .any(|s| s.load(Ordering::Relaxed) == size)
        || TRACING.with(|t| t.replace(true))
    {
        return;
    }
    if TRACES_LEFT.fetch_sub(1, Ordering::Relaxed) > 0 {
        let backtrace = std::backtrace::Backtrace::force_capture();
        eprintln!("trace: allocation of {size} B:\n{backtrace}");
    }
    TRACING.with(|t| t.set(false));
}

fn census(size: usize, delta: isize) {
    if !CENSUS_ON.load(Ordering::Relaxed) || size == 0 {
        return;
    }
    if delta > 0 {
        trace(size);
    }
    let mut slot = size.wrapping_mul(0x9E37_79B9_7F4A_7C15) % CENSUS_SLOTS;
    for _ in 0..CENSUS_SLOTS {
        let key = CENSUS_SIZE[slot].load(Ordering::Relaxed);
        if key == size
            || (key == 0
                && match CENSUS_SIZE[slot].compare_exchange(
                    0,
                    size,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => true,
                    Err(current) => current == size,
                })
        {
            CENSUS_LIVE[slot].fetch_add(delta, Ordering::Relaxed);
            return;
        }
        slot = (slot + 1) % CENSUS_SLOTS;
    }
}

/// Turns on the size census (`GWBENCH_CENSUS=1`): live blocks per exact size, from now on.
pub fn start_census() {
    if let Ok(sizes) = std::env::var("GWBENCH_TRACE_SIZES") {
        for (slot, size) in TRACE_SIZES.iter().zip(sizes.split(',')) {
            slot.store(size.trim().parse().unwrap_or(0), Ordering::SeqCst);
        }
        TRACES_LEFT.store(8, Ordering::SeqCst);
    }
    CENSUS_ON.store(true, Ordering::SeqCst);
}

/// The census's sizes whose live blocks number at least `min_count`: (size, live blocks),
/// by live bytes, largest first.
pub fn census_report(min_count: isize) -> Vec<(usize, isize)> {
    let mut rows: Vec<(usize, isize)> = (0..CENSUS_SLOTS)
        .filter_map(|slot| {
            let size = CENSUS_SIZE[slot].load(Ordering::SeqCst);
            let live = CENSUS_LIVE[slot].load(Ordering::SeqCst);
            (size != 0 && live >= min_count).then_some((size, live))
        })
        .collect();
    rows.sort_by_key(|&(size, live)| std::cmp::Reverse(size as isize * live));
    rows
}

/// The system allocator, counting live heap bytes once [`count_heap`] was called.
///
/// Counting is off by default so throughput runs pay one relaxed load per allocation and no
/// shared counter updates. Memory runs turn it on before anything they measure is allocated;
/// blocks allocated earlier and freed later make the count start slightly negative, which a
/// difference of two readings cancels.
#[derive(Debug)]
pub struct CountingAlloc;

// SAFETY: every call is forwarded to System with the same arguments; the counters do not
// affect allocation.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
            census(layout.size(), 1);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() && COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
            census(layout.size(), 1);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
            census(layout.size(), -1);
        }
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() && COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
            census(layout.size(), -1);
            census(new_size, 1);
        }
        new
    }
}

/// Starts counting live heap bytes (for memory runs; see [`CountingAlloc`]).
pub fn count_heap() {
    COUNTING.store(true, Ordering::SeqCst);
}

/// Live heap bytes allocated since [`count_heap`] minus those freed since.
pub fn heap_bytes() -> i64 {
    LIVE.load(Ordering::SeqCst) as i64
}
