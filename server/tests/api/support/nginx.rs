//! A private nginx (Debian's `nginx` package) on a free loopback port, configured as the
//! docs show, and stopped on drop: a load balancer in front of a test's instances
//! (`docs/DEPLOY.md`), or an app's forward-auth proxy (`docs/INTEGRATION.md`). Never the
//! machine's own nginx.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct PrivateNginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl PrivateNginx {
    /// Round robin in front of `upstreams` (`host:port` each), as
    /// `scripts/nginx-test.conf` (shared with the browser tests) configures it.
    pub fn load_balancer(upstreams: &[String]) -> Self {
        let servers: Vec<String> = upstreams
            .iter()
            .map(|address| format!("        server {address} max_fails=0;"))
            .collect();
        let template = include_str!("../../../../scripts/nginx-test.conf")
            .replace("@SERVERS@", &servers.join("\n"));
        Self::start(super::free_port(), &template)
    }

    /// On `port`, the app at `app` (`host:port`) behind `auth_request` to Hallpass at
    /// `hallpass`, as `scripts/nginx-forward-auth.conf` configures it.
    pub fn forward_auth(port: u16, hallpass: &str, app: &str) -> Self {
        let template = include_str!("../../../../scripts/nginx-forward-auth.conf")
            .replace("@HALLPASS@", hallpass)
            .replace("@APP@", app);
        Self::start(port, &template)
    }

    /// nginx with `template` (its `@DIR@` and `@PORT@` filled in), once it listens.
    fn start(port: u16, template: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("hallpass-nginx-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("nginx.conf");
        let configuration = template
            .replace("@DIR@", dir.to_str().unwrap())
            .replace("@PORT@", &port.to_string());
        std::fs::write(&conf, configuration).unwrap();
        let child = Command::new("nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off; master_process off;"])
            .stdout(Stdio::null())
            .spawn()
            .expect("start nginx (Debian package nginx)");
        let nginx = Self { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for PrivateNginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::env::var_os("KEEP_NGINX").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
