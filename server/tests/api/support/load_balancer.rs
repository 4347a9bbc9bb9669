//! A private nginx (Debian's `nginx` package) in front of a test's instances: round
//! robin, as a deployment's load balancer would be, on a free loopback port, configured
//! as `docs/DEPLOY.md` shows, and stopped on drop. Never the machine's own nginx.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct LoadBalancer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

/// The tested configuration (`scripts/nginx-test.conf`, shared with the browser tests),
/// with the instances' addresses and nginx's own paths filled in.
fn configuration(dir: &str, port: u16, upstreams: &[String]) -> String {
    let servers: Vec<String> = upstreams
        .iter()
        .map(|address| format!("        server {address} max_fails=0;"))
        .collect();
    include_str!("../../../../scripts/nginx-test.conf")
        .replace("@DIR@", dir)
        .replace("@PORT@", &port.to_string())
        .replace("@SERVERS@", &servers.join("\n"))
}

impl LoadBalancer {
    /// nginx in front of `upstreams` (`host:port` each), answering once it listens.
    pub fn start(upstreams: &[String]) -> Self {
        let port = super::free_port();
        let dir = std::env::temp_dir().join(format!("hallpass-nginx-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, configuration(dir.to_str().unwrap(), port, upstreams)).unwrap();
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
        let balancer = Self { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        balancer
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for LoadBalancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::env::var_os("KEEP_NGINX").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
