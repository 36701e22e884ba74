//! CLOCK_MONOTONIC as a `Duration` since boot: the one clock the harness and the launcher (a
//! separate process) both read, so a spawn timed in one is comparable with an answer in the other.

use std::time::Duration;

pub fn now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given and reads nothing else.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
