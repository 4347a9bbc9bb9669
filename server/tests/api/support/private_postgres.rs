//! A private PostgreSQL cluster for one fault test: `initdb` into a temporary directory,
//! its own loopback port, Debian's binaries; or a streaming standby of one
//! (`pg_basebackup -R`), which can be promoted. Faults are made to it (hang, crash,
//! restart, stop), never to the machine's own PostgreSQL; it is stopped and deleted on
//! drop.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct PrivatePostgres {
    dir: PathBuf,
    port: u16,
    server: Option<Child>,
}

impl PrivatePostgres {
    pub fn start() -> Self {
        let mut postgres = Self::unstarted();
        let initdb = postgres
            .command("initdb")
            .args(["--auth=trust", "--username=postgres", "--no-sync", "-D"])
            .arg(postgres.data())
            .stdout(Stdio::null())
            .status()
            .expect("run initdb (Debian package postgresql)");
        assert!(initdb.success(), "initdb failed");
        postgres.restart();
        postgres
    }

    /// A standby streaming from this cluster (a base backup written with `-R`, which
    /// makes it follow this one), started and answering.
    pub fn standby(&self) -> Self {
        let mut standby = Self::unstarted();
        let backup = standby
            .command("pg_basebackup")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-R", "-X", "stream", "--no-sync", "-D"])
            .arg(standby.data())
            .stdout(Stdio::null())
            .status()
            .expect("run pg_basebackup");
        assert!(backup.success(), "pg_basebackup failed");
        standby.restart();
        standby
    }

    /// A directory of its own and a free port; nothing in them yet.
    fn unstarted() -> Self {
        let dir = std::env::temp_dir().join(format!("hallpass-pg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let postgres = Self {
            dir,
            port: super::free_port(),
            server: None,
        };
        postgres.hand_to_postgres_user();
        postgres
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Promotes a standby to a primary (`pg_ctl promote`, waiting until it accepts writes).
    pub fn promote(&self) {
        let promoted = self
            .command("pg_ctl")
            .args(["promote", "-w", "-D"])
            .arg(self.data())
            .stdout(Stdio::null())
            .status()
            .expect("run pg_ctl promote");
        assert!(promoted.success(), "pg_ctl promote failed");
    }

    /// Stops the cluster as an operator would before a switchover (a fast shutdown:
    /// sessions are ended, and the WAL written so far reaches the standbys first).
    pub fn stop(&mut self) {
        let Some(mut server) = self.server.take() else {
            return;
        };
        let stopped = Command::new("kill")
            .args(["-INT", &server.id().to_string()])
            .status()
            .expect("run kill");
        assert!(stopped.success(), "kill -INT");
        let _ = server.wait();
    }

    /// Starts the server (again, on the same port and data) and waits until it answers.
    pub fn restart(&mut self) {
        let server = self
            .command("postgres")
            .arg("-D")
            .arg(self.data())
            .args(["-p", &self.port.to_string(), "-k"])
            .arg(&self.dir)
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start postgres");
        self.server = Some(server);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.answers() {
            assert!(Instant::now() < deadline, "private postgres did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Hangs every process of the cluster (SIGSTOP): connections stay open, nothing
    /// answers, as with a frozen host or a black-holed network.
    pub fn hang(&self) {
        self.signal_all("STOP");
    }

    pub fn resume(&self) {
        self.signal_all("CONT");
    }

    /// Crashes the cluster (SIGKILL to every process) and waits for it to be gone.
    pub fn crash(&mut self) {
        self.signal_all("KILL");
        if let Some(mut server) = self.server.take() {
            let _ = server.wait();
        }
        // The killed postmaster leaves its pid file; the next start must not trip on it.
        let _ = std::fs::remove_file(self.data().join("postmaster.pid"));
    }

    fn answers(&self) -> bool {
        Command::new(bin("pg_isready"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q"])
            .status()
            .is_ok_and(|status| status.success())
    }

    /// Signals the postmaster, then every process it started (each backend runs in a
    /// session of its own, so a process group would miss them).
    fn signal_all(&self, signal: &str) {
        let Some(server) = &self.server else { return };
        let pid = server.id().to_string();
        let postmaster = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("run kill");
        assert!(postmaster.success(), "kill -{signal} {pid}");
        // pkill answers 1 when there is no child to signal.
        Command::new("pkill")
            .args([&format!("-{signal}"), "-P", &pid])
            .status()
            .expect("run pkill");
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// PostgreSQL refuses to run as root: when the tests do, it runs as `postgres`.
    fn command(&self, program: &str) -> Command {
        if running_as_root() {
            let mut command = Command::new("setpriv");
            command
                .args(["--reuid=postgres", "--regid=postgres", "--clear-groups"])
                .arg(bin(program));
            command
        } else {
            Command::new(bin(program))
        }
    }

    fn hand_to_postgres_user(&self) {
        if running_as_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&self.dir)
                .status()
                .expect("run chown");
            assert!(status.success());
        }
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        self.resume();
        self.crash();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A binary of the newest PostgreSQL under /usr/lib/postgresql.
fn bin(program: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("Debian's PostgreSQL under /usr/lib/postgresql")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    versions.sort();
    let newest = versions.pop().expect("a PostgreSQL version");
    Path::new(&newest).join("bin").join(program)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}
