//! Lambda's CPU share, locally: Lambda gives a function CPU in proportion to its memory (1,769 MB
//! is one vCPU), which a cgroup v1 CFS quota reproduces. The functions are started by a launcher
//! that sits in the group before any of them exists, so each inherits the group at fork and no
//! cgroup migration (which waits for an RCU grace period) lands inside a measured cold start.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::{clock, Error};

/// The memory size at which Lambda gives a function one full vCPU.
pub const ONE_VCPU_MB: u32 = 1769;
/// The smallest quota the kernel accepts (`cpu.cfs_quota_us`).
const MIN_QUOTA_US: u64 = 1000;

/// A memory size and the CFS period its quota is spent over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    pub memory_mb: u32,
    pub period_us: u64,
}

impl Share {
    /// The share of `memory_mb` over `period_us`, or over the shortest period whose quota the
    /// kernel accepts when that one's would be under 1 ms (128 MB at 10 ms: 13.8 ms).
    pub fn new(memory_mb: u32, period_us: u64) -> Self {
        let shortest = (MIN_QUOTA_US * u64::from(ONE_VCPU_MB)).div_ceil(u64::from(memory_mb));
        Self {
            memory_mb,
            period_us: period_us.max(shortest),
        }
    }

    /// CPU time per period: the period times memory over 1,769 MB, never above one CPU.
    pub fn quota_us(&self) -> u64 {
        (self.period_us * u64::from(self.memory_mb) / u64::from(ONE_VCPU_MB)).min(self.period_us)
    }
}

/// A cgroup v1 `cpu` group of this run's own, removed on drop.
pub struct CpuGroup {
    dir: PathBuf,
}

impl CpuGroup {
    /// Removes the empty groups runs that were killed left behind (named `prefix...`).
    pub fn remove_stale(root: &Path, prefix: &str) {
        let Ok(entries) = std::fs::read_dir(root) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(prefix) {
                // Fails, and so keeps it, while a process is still in it.
                let _ = std::fs::remove_dir(entry.path());
            }
        }
    }

    /// Makes the group, or says why it cannot (not root, no cgroup v1 `cpu` controller).
    pub fn create(root: &Path, name: &str) -> Result<Self, String> {
        let dir = root.join(name);
        if !dir.exists() {
            std::fs::create_dir(&dir)
                .map_err(|e| format!("cannot create the cgroup {}: {e}", dir.display()))?;
        }
        let group = Self { dir };
        group
            .unlimit()
            .map_err(|e| format!("cannot set a CPU quota in {}: {e}", group.dir.display()))?;
        Ok(group)
    }

    /// The share's quota; the period is set with no quota in force, as the kernel requires.
    pub fn limit(&self, share: Share) -> Result<(), Error> {
        self.unlimit()?;
        std::fs::write(
            self.dir.join("cpu.cfs_period_us"),
            share.period_us.to_string(),
        )?;
        std::fs::write(
            self.dir.join("cpu.cfs_quota_us"),
            share.quota_us().to_string(),
        )?;
        Ok(())
    }

    /// Full speed: no quota.
    pub fn unlimit(&self) -> Result<(), Error> {
        std::fs::write(self.dir.join("cpu.cfs_quota_us"), "-1")?;
        Ok(())
    }

    /// Moves process `pid` (and the children it forks later) into the group.
    pub fn admit(&self, pid: u32) -> Result<(), Error> {
        std::fs::write(self.dir.join("cgroup.procs"), pid.to_string())?;
        Ok(())
    }

    /// How often the group was held back at the end of its quota, and for how long in all.
    pub fn throttled(&self) -> (u64, Duration) {
        // Zero when unreadable: callers subtract two readings with `saturating_sub`.
        let stat = std::fs::read_to_string(self.dir.join("cpu.stat")).unwrap_or_default();
        let field = |name: &str| {
            stat.lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        (
            field("nr_throttled"),
            Duration::from_nanos(field("throttled_time")),
        )
    }
}

impl Drop for CpuGroup {
    fn drop(&mut self) {
        // Empty once the launcher and its children have exited (`Bench` drops its launchers
        // first); a group still in use stays, for the next run's `remove_stale`.
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// What a function process needs to start: its program, environment and where its stdout goes.
pub struct Spawn<'a> {
    pub program: &'a Path,
    pub env: &'a [(String, String)],
    pub stdout: Option<&'a Path>,
}

/// A process that starts the functions, so that they begin life in its cgroup.
pub struct Launcher {
    child: Child,
    /// Closed on drop: the launcher then kills what it started and exits.
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Launcher {
    /// Starts `lambda-bench launch` (this binary), in `group` when there is one.
    pub fn start(group: Option<&CpuGroup>) -> Result<Self, Error> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("launch")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        if let Some(group) = group {
            group.admit(child.id())?;
        }
        let input = child.stdin.take().ok_or("no launcher stdin")?;
        let output = BufReader::new(child.stdout.take().ok_or("no launcher stdout")?);
        Ok(Self {
            child,
            input: Some(input),
            output,
        })
    }

    /// Starts a function; returns its pid and when the launcher began to fork it.
    pub fn spawn(&mut self, spawn: &Spawn<'_>) -> Result<(u32, Duration), Error> {
        let answer = self.ask(json!({
            "spawn": spawn.program,
            "env": spawn.env,
            "stdout": spawn.stdout,
        }))?;
        let pid = answer["pid"].as_u64().ok_or("no pid")? as u32;
        let started = Duration::from_nanos(answer["started_ns"].as_u64().ok_or("no start")?);
        Ok((pid, started))
    }

    /// Waits for a process the launcher started to exit by itself.
    pub fn wait(&mut self, pid: u32) -> Result<(), Error> {
        self.ask(json!({ "wait": pid }))?;
        Ok(())
    }

    /// Kills a function the launcher started and reaps it.
    pub fn stop(&mut self, pid: u32) -> Result<(), Error> {
        self.ask(json!({ "stop": pid }))?;
        Ok(())
    }

    fn ask(&mut self, request: Value) -> Result<Value, Error> {
        let input = self.input.as_mut().ok_or("the launcher is closed")?;
        writeln!(input, "{request}")?;
        input.flush()?;
        let mut line = String::new();
        self.output.read_line(&mut line)?;
        let answer: Value = serde_json::from_str(&line)?;
        match answer["error"].as_str() {
            Some(e) => Err(format!("launcher: {e}").into()),
            None => Ok(answer),
        }
    }
}

impl Drop for Launcher {
    fn drop(&mut self) {
        // End of input: the launcher stops the functions still running (after an error, say),
        // so that they leave the group, and exits.
        drop(self.input.take());
        let _ = self.child.wait();
    }
}

/// The launcher's side (`lambda-bench launch`): one JSON request per stdin line, one answer per
/// stdout line.
pub fn serve_launches() -> Result<(), Error> {
    let mut children: HashMap<u32, Child> = HashMap::new();
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let request: Value = serde_json::from_str(&line?)?;
        let answer = if let Some(program) = request["spawn"].as_str() {
            let mut command = Command::new(program);
            command
                .env_clear()
                .stdin(Stdio::null())
                .stderr(Stdio::null());
            for pair in request["env"].as_array().into_iter().flatten() {
                if let (Some(k), Some(v)) = (pair[0].as_str(), pair[1].as_str()) {
                    command.env(k, v);
                }
            }
            command.stdout(match request["stdout"].as_str() {
                Some(path) => Stdio::from(std::fs::File::create(path)?),
                None => Stdio::null(),
            });
            let started = clock::now();
            match command.spawn() {
                Ok(child) => {
                    let pid = child.id();
                    children.insert(pid, child);
                    json!({ "pid": pid, "started_ns": started.as_nanos() as u64 })
                }
                Err(e) => json!({ "error": format!("{program}: {e}") }),
            }
        } else if let Some(pid) = request["wait"].as_u64() {
            if let Some(mut child) = children.remove(&(pid as u32)) {
                let _ = child.wait();
            }
            json!({ "exited": pid })
        } else if let Some(pid) = request["stop"].as_u64() {
            if let Some(mut child) = children.remove(&(pid as u32)) {
                let _ = child.kill();
                let _ = child.wait();
            }
            json!({ "stopped": pid })
        } else {
            json!({ "error": "unknown request" })
        };
        writeln!(stdout, "{answer}")?;
        stdout.flush()?;
    }
    for (_, mut child) in children {
        let _ = child.kill();
        let _ = child.wait();
    }
    Ok(())
}

/// CPU time (user and system) a process has used, all its threads: the scheduler's own
/// nanosecond counter (`/proc/PID/task/*/schedstat`), not the 10 ms ticks of `/proc/PID/stat`.
pub fn cpu_time(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Duration::ZERO;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .map(Duration::from_nanos)
        .sum()
}

/// Peak resident memory of a live process.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_the_memory_over_1769_mb_of_each_period() {
        let share = Share::new(128, 100_000);
        assert_eq!(share.quota_us(), 7_235);
        assert_eq!(Share::new(1769, 100_000).quota_us(), 100_000);
        assert_eq!(Share::new(3008, 100_000).quota_us(), 100_000);
        assert_eq!(Share::new(512, 10_000).quota_us(), 2_894);
    }

    #[test]
    fn a_period_too_short_for_a_1_ms_quota_is_lengthened_to_the_shortest_that_allows_one() {
        let share = Share::new(128, 10_000);
        assert_eq!(share.period_us, 13_821);
        assert_eq!(share.quota_us(), 1_000);
        assert_eq!(Share::new(256, 10_000).period_us, 10_000);
    }

    #[test]
    fn without_a_cgroup_v1_cpu_controller_the_group_says_why_it_cannot_be_made() {
        let root = Path::new("/nonexistent/sys/fs/cgroup/cpu");
        let Err(why) = CpuGroup::create(root, "bench") else {
            panic!("a group was made under a root that does not exist");
        };
        assert!(
            why.contains("cannot create the cgroup /nonexistent/sys/fs/cgroup/cpu/bench"),
            "{why}"
        );
    }

    #[test]
    fn cpu_time_counts_this_process_in_nanoseconds() {
        let before = cpu_time(std::process::id());
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_add(std::hint::black_box(i));
        }
        assert!(x > 0);
        assert!(cpu_time(std::process::id()) > before);
        assert_eq!(cpu_time(u32::MAX), Duration::ZERO);
    }
}
