//! A private `redis-server` for one fault test, on a free loopback port, stopped (and its
//! data forgotten) on drop; or a replica of one, or sentinels watching one
//! ([`PrivateSentinels`]). Faults are made to them, never to the machine's own Redis.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct PrivateRedis {
    child: Child,
    port: u16,
}

impl PrivateRedis {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A replica of this server (`--replicaof`), in sync before it is returned.
    pub fn replica(&self) -> Self {
        let port = self.port.to_string();
        let replica = Self::start_with(&["--replicaof", "127.0.0.1", &port]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !replica
            .cli(&["INFO", "replication"])
            .contains("master_link_status:up")
        {
            assert!(Instant::now() < deadline, "the replica did not sync");
            std::thread::sleep(Duration::from_millis(50));
        }
        replica
    }

    fn start_with(extra: &[&str]) -> Self {
        let port = super::free_port();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .args(extra)
            .stdout(Stdio::null())
            .spawn()
            .expect("start redis-server (Debian package redis-server)");
        let redis = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while redis.cli(&["PING"]) != "PONG" {
            assert!(
                Instant::now() < deadline,
                "private redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (SIGKILL), as a crashed host would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Hangs the server (SIGSTOP): connections stay open, nothing answers.
    pub fn hang(&self) {
        self.signal("STOP");
    }

    pub fn resume(&self) {
        self.signal("CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {pid}");
    }

    /// Runs `redis-cli` against this server and returns what it printed, trimmed.
    pub fn cli(&self, args: &[&str]) -> String {
        let output = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(args)
            .stderr(Stdio::null())
            .output()
            .expect("run redis-cli");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.resume();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Three sentinels (Debian's `redis-server --sentinel`) watching a master under a name,
/// with a quorum of 2 and a master counted down after 500 ms; stopped on drop.
pub struct PrivateSentinels {
    sentinels: Vec<(Child, u16)>,
    dir: std::path::PathBuf,
    name: String,
}

impl PrivateSentinels {
    /// Starts them, and returns once each knows the other two and the master's replica.
    pub fn watch(master: &PrivateRedis, name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("hallpass-sentinels-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let sentinels = (0..3)
            .map(|index| {
                let port = super::free_port();
                let config = dir.join(format!("sentinel-{index}.conf"));
                std::fs::write(
                    &config,
                    format!(
                        "port {port}\nbind 127.0.0.1\ndir {dir}\n\
                         sentinel monitor {name} 127.0.0.1 {master} 2\n\
                         sentinel down-after-milliseconds {name} 500\n\
                         sentinel failover-timeout {name} 5000\n\
                         sentinel parallel-syncs {name} 1\n",
                        dir = dir.display(),
                        master = master.port,
                    ),
                )
                .unwrap();
                let child = Command::new("redis-server")
                    .arg(&config)
                    .arg("--sentinel")
                    .stdout(Stdio::null())
                    .spawn()
                    .expect("start redis-server --sentinel");
                (child, port)
            })
            .collect();
        let watching = Self {
            sentinels,
            dir,
            name: name.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !watching.ready() {
            assert!(
                Instant::now() < deadline,
                "the sentinels did not find each other"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        watching
    }

    /// `host:port` of each sentinel, as `REDIS_SENTINELS` lists them.
    pub fn addresses(&self) -> Vec<String> {
        let ports = self
            .sentinels
            .iter()
            .map(|(_, port)| format!("127.0.0.1:{port}"));
        ports.collect()
    }

    /// The port of the master the sentinels name now.
    pub fn master_port(&self) -> Option<u16> {
        let answer = self.cli(&["SENTINEL", "get-master-addr-by-name", &self.name]);
        answer.lines().nth(1)?.trim().parse().ok()
    }

    /// Each sentinel knows the two others and a replica.
    fn ready(&self) -> bool {
        self.sentinels.iter().all(|(_, port)| {
            let ask = |what: &str| {
                let output = Command::new("redis-cli")
                    .args(["-h", "127.0.0.1", "-p", &port.to_string()])
                    .args(["SENTINEL", what, &self.name])
                    .stderr(Stdio::null())
                    .output()
                    .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
                    .unwrap_or_default();
                output.matches("runid").count()
            };
            ask("sentinels") >= 2 && ask("replicas") >= 1
        })
    }

    fn cli(&self, args: &[&str]) -> String {
        let port = self.sentinels[0].1.to_string();
        let output = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &port])
            .args(args)
            .stderr(Stdio::null())
            .output()
            .expect("run redis-cli");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }
}

impl Drop for PrivateSentinels {
    fn drop(&mut self) {
        for (child, _) in &mut self.sentinels {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
