//! The `hallpass` binary as a process of its own, as an operator runs it: for tests that
//! signal it (a rolling restart) or read what it logs.

use std::{
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

pub struct ServerProcess {
    child: Child,
    port: u16,
    env: Vec<(String, String)>,
    /// Everything the process wrote (a file, not a pipe: nobody reads a pipe while the
    /// server runs, and a full one would stall it).
    pub log: PathBuf,
}

impl ServerProcess {
    /// `hallpass serve` on a free loopback port with `env`, once it answers `/healthz`.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let port = super::free_port();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        let log = std::env::temp_dir().join(format!("hallpass-log-{port}.txt"));
        let mut server = Self {
            child: spawn(port, &env, &log),
            port,
            env,
            log,
        };
        server.until_healthy().await;
        server
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address())
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub async fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success(), "kill -TERM {pid}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                return exit;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Sends SIGHUP (re-read the GeoIP database).
    pub fn hang_up(&self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-HUP", &pid]).status().unwrap();
        assert!(status.success(), "kill -HUP {pid}");
    }

    /// Waits until the log has a line containing `needle`, and returns it.
    pub async fn log_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(line) = log.lines().find(|line| line.contains(needle)) {
                return line.to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no line with {needle} in:\n{log}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Starts the same server again, on the same port, once it stopped.
    pub async fn restart(&mut self) {
        self.child = spawn(self.port, &self.env, &self.log);
        self.until_healthy().await;
    }

    async fn until_healthy(&mut self) {
        let url = format!("{}/healthz", self.url());
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(&url).await.is_err() {
            if let Some(exit) = self.child.try_wait().unwrap() {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!("the server exited ({exit}) before answering:\n{log}");
            }
            assert!(Instant::now() < deadline, "the server did not answer");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn spawn(port: u16, env: &[(String, String)], log: &PathBuf) -> Child {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_hallpass"))
        .arg("serve")
        .envs(env.iter().map(|(name, value)| (name, value)))
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("STATIC_DIR", "/nonexistent")
        .stdout(Stdio::from(file.try_clone().unwrap()))
        .stderr(Stdio::from(file))
        .spawn()
        .unwrap()
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
