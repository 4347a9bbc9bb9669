//! A private Caddy (Debian's `caddy` package) on a free loopback port: an app behind
//! `forward_auth` to Hallpass, configured as `docs/INTEGRATION.md` shows, and stopped on
//! drop. Never a system-wide Caddy: its admin endpoint is off and its data stays in a
//! temporary folder.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct PrivateCaddy {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl PrivateCaddy {
    /// On `port`, the app at `app` (`host:port`) behind `forward_auth` to Hallpass at
    /// `hallpass` (`host:port`), as `scripts/caddy-forward-auth.Caddyfile` configures it.
    pub fn forward_auth(port: u16, hallpass: &str, app: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("hallpass-caddy-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("Caddyfile");
        let text = include_str!("../../../../scripts/caddy-forward-auth.Caddyfile")
            .replace("@PORT@", &port.to_string())
            .replace("@HALLPASS@", hallpass)
            .replace("@APP@", app);
        std::fs::write(&config, text).unwrap();
        let child = Command::new("caddy")
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&config)
            .env("HOME", &dir)
            .env("XDG_DATA_HOME", &dir)
            .env("XDG_CONFIG_HOME", &dir)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("caddy.log")).unwrap())
            .spawn()
            .expect("start caddy (Debian package caddy)");
        let caddy = Self { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "caddy did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        caddy
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for PrivateCaddy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::env::var_os("KEEP_CADDY").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
