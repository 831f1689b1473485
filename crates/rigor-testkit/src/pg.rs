//! A throwaway PostgreSQL cluster for tests: `initdb` in a fresh directory, the server on a
//! loopback port, stopped and removed when dropped. PostgreSQL refuses to run as root, so as
//! root the server's commands run as the `postgres` user (Debian's package creates it).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running test cluster.
pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The directory of `initdb` and `pg_ctl`: on the PATH, else Debian's versioned directory.
fn bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"));
    on_path
        .chain(debian)
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(mut c: Command, what: &str) {
    let out = c
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl PgCluster {
    /// Start a cluster; panics with what to install when PostgreSQL is absent.
    pub fn start() -> PgCluster {
        let bin = bin_dir().unwrap_or_else(|| {
            panic!(
                "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's `postgresql` package (scripts/test.sh does) to run the PostgreSQL store tests"
            )
        });
        let as_postgres = is_root();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let dir = std::env::temp_dir().join(format!("rigor-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the cluster directory");
        let cluster = PgCluster {
            dir,
            bin,
            port,
            as_postgres,
        };
        if as_postgres {
            let mut c = Command::new("chown");
            c.args(["-R", "postgres:postgres"]).arg(&cluster.dir);
            run(c, "chown postgres");
        }
        let mut c = cluster.server_command("initdb");
        c.args([
            "-A",
            "trust",
            "-U",
            "rigor",
            "-E",
            "UTF8",
            "--no-sync",
            "-D",
        ])
        .arg(cluster.dir.join("data"));
        run(c, "initdb");
        let mut c = cluster.server_command("pg_ctl");
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=60",
            cluster.dir.display()
        );
        c.arg("-D")
            .arg(cluster.dir.join("data"))
            .arg("-l")
            .arg(cluster.dir.join("server.log"))
            .args(["-o", &opts, "-w", "-t", "60", "start"]);
        run(c, "pg_ctl start");
        cluster
    }

    /// `tool` of the server's bin directory, as the postgres user when we are root.
    fn server_command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new empty database `name`, and its URL.
    pub fn database(&self, name: &str) -> String {
        let mut c = Command::new(self.bin.join("psql"));
        if !self.bin.join("psql").is_file() {
            c = Command::new("psql");
        }
        c.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "rigor",
        ])
        .args(["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"])
        .arg(format!("CREATE DATABASE \"{name}\""));
        run(c, "psql CREATE DATABASE");
        format!("postgres://rigor@127.0.0.1:{}/{name}", self.port)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stop the server at once (as a crash or a lost database host would), keeping its files;
    /// dropping the cluster still removes them.
    pub fn stop(&self) {
        let mut c = self.server_command("pg_ctl");
        c.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"]);
        run(c, "pg_ctl stop");
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let mut c = self.server_command("pg_ctl");
        c.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"]);
        let _ = c.output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
