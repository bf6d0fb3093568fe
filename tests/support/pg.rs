//! A throwaway PostgreSQL cluster for the tests, started by the tests
//! themselves: `initdb` into a temp dir, `pg_ctl start` on a free loopback
//! port with the socket in that dir, one fresh database per test. Never the
//! system's cluster, never a system-wide service. Stopped (`pg_ctl stop -m
//! immediate`) and removed when the test binary exits.
//!
//! The binaries come from Debian's `postgresql` package
//! (`/usr/lib/postgresql/<version>/bin`, the newest), or `ZEITRECHNUNG_PG_BIN`.
//! As root (CI) the server runs as the `postgres` user (`runuser`), since
//! `initdb` refuses root. Without the binaries [`cluster`] says why; the caller
//! skips (a failure under `CI=true`, `support::skip`).

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

pub struct Cluster {
    bin: PathBuf,
    port: u16,
    /// The superuser the tests connect as (trust on loopback only).
    user: &'static str,
    /// The CA that signed the server's certificate (TLS on 127.0.0.2, which
    /// the app treats as another PC), and a CA that did not.
    pub ca_file: PathBuf,
    pub other_ca_file: PathBuf,
}

/// A login that needs its password (scram-sha-256), as an office sets it up.
pub const PASSWORD_USER: &str = "buero";
pub const PASSWORD: &str = "richtig geheim";
/// The address the app must reach with a verified certificate.
pub const FAR_HOST: &str = "127.0.0.2";

struct Running {
    bin: PathBuf,
    data: PathBuf,
    root: PathBuf,
    as_postgres: bool,
    /// The server's options for `pg_ctl start` (port, socket dir, TLS).
    options: String,
}

static RUNNING: OnceLock<Running> = OnceLock::new();
static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// The cluster of this test binary, started on first use.
pub fn cluster() -> Result<&'static Cluster, String> {
    CLUSTER.get_or_init(start).as_ref().map_err(|e| e.clone())
}

impl Cluster {
    /// A new, empty database on the cluster, as a `postgres://` URL.
    pub fn fresh_database(&self) -> String {
        let n = NEXT_DB.fetch_add(1, Ordering::SeqCst);
        let name = format!("t{}_{n}", std::process::id());
        // A client over loopback (trust): no need to be `postgres` for it.
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args([
                "-U",
                self.user,
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
            ])
            .args(["-c", &format!("CREATE DATABASE {name}")])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "CREATE DATABASE failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.url(&name)
    }

    /// How many statements the app sent to `database` while `work` ran, as
    /// the server counts them (pg_stat_statements, per database).
    pub fn statements_during(&self, url: &str, work: impl FnOnce()) -> u64 {
        let database = database_of(url);
        let oid = self.psql(
            "postgres",
            &format!("SELECT oid FROM pg_database WHERE datname = '{database}'"),
        );
        self.psql(
            "postgres",
            &format!("SELECT pg_stat_statements_reset(0, {oid}, 0)"),
        );
        work();
        if std::env::var_os("ZEITRECHNUNG_PRINT_STATEMENTS").is_some() {
            println!(
                "{}",
                self.psql(
                    "postgres",
                    &format!("SELECT calls || ' × ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 160) FROM pg_stat_statements WHERE dbid = {oid}"),
                )
            );
        }
        self.psql(
            "postgres",
            &format!("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE dbid = {oid}"),
        )
        .parse()
        .unwrap()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new, empty database owned by `PASSWORD_USER`; its name.
    pub fn fresh_database_for_password_user(&self) -> String {
        let url = self.fresh_database();
        let name = database_of(&url).to_string();
        self.psql(
            "postgres",
            &format!("ALTER DATABASE {name} OWNER TO {PASSWORD_USER}"),
        );
        name
    }

    /// Runs SQL as the superuser; panics when it fails.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", self.user, "-d", database, "-v", "ON_ERROR_STOP=1"])
            .args(["-q", "-t", "-A", "-c", sql])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{database}?sslmode=disable",
            self.user, self.port
        )
    }
}

impl Running {
    /// A cluster binary, run as the `postgres` user when we are root.
    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }
}

fn bin_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("ZEITRECHNUNG_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "PostgreSQL fehlt (Paket „postgresql“, /usr/lib/postgresql)".to_string())?
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "PostgreSQL fehlt (kein initdb unter /usr/lib/postgresql)".to_string())
}

/// The database a `postgres://…/<name>?…` URL names.
pub fn database_of(url: &str) -> &str {
    let last = url.rsplit('/').next().unwrap_or_default();
    last.split('?').next().unwrap_or_default()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn start() -> Result<Cluster, String> {
    let root = std::env::temp_dir().join(format!("zeitrechnung-pg-{}", std::process::id()));
    let (running, cluster) = launch(root)?;
    let _ = RUNNING.set(running);
    // Stopped and removed when the test binary ends (libtest exits through
    // `std::process::exit`, which runs the C exit handlers).
    unsafe { libc::atexit(stop_at_exit) };
    Ok(cluster)
}

/// A cluster of one test's own, to stop and start again (a server that goes
/// away while the app works); stopped and removed when dropped.
pub struct OwnCluster {
    pub cluster: Cluster,
    running: Running,
}

impl OwnCluster {
    pub fn new(name: &str) -> Result<OwnCluster, String> {
        let root =
            std::env::temp_dir().join(format!("zeitrechnung-pg-{}-{name}", std::process::id()));
        let (running, cluster) = launch(root)?;
        Ok(OwnCluster { cluster, running })
    }

    /// `pg_ctl stop -m fast`: the server ends its sessions and goes away.
    pub fn stop(&self) {
        let out = self
            .running
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.running.data)
            .args(["-m", "fast", "-w", "stop"])
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the stopped server again on the same port.
    pub fn start(&self) {
        self.running.pg_ctl_start().unwrap();
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = self
            .running
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.running.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.running.root);
    }
}

impl Running {
    fn pg_ctl_start(&self) -> Result<(), String> {
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-o", &self.options, "-l"])
            .arg(self.root.join("server.log"))
            .args(["-w", "-t", "60", "start"])
            .output()
            .map_err(|e| format!("pg_ctl: {e}"))?;
        if out.status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default();
        Err(format!(
            "pg_ctl start fehlgeschlagen: {}{log}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// initdb into `root`, the logins and certificates, and the server started.
fn launch(root: PathBuf) -> Result<(Running, Cluster), String> {
    let bin = bin_dir()?;
    let as_postgres = unsafe { libc::geteuid() } == 0;
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let data = root.join("data");
    if as_postgres {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&root)
            .status()
            .map_err(|e| format!("chown: {e}"))?
            .success();
        if !ok {
            return Err("chown postgres fehlgeschlagen".into());
        }
    }
    let mut running = Running {
        bin,
        data: data.clone(),
        root: root.clone(),
        as_postgres,
        options: String::new(),
    };
    let user = "zeitrechnung_test";
    let out = running
        .command("initdb")
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-N",
        ])
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb fehlgeschlagen: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // The password login first in pg_hba.conf (the rest stays trust).
    let hba = data.join("pg_hba.conf");
    let rest = std::fs::read_to_string(&hba).map_err(|e| format!("pg_hba.conf: {e}"))?;
    std::fs::write(
        &hba,
        format!("host all {PASSWORD_USER} 127.0.0.0/8 scram-sha-256\nhostssl all all 127.0.0.2/32 trust\n{rest}"),
    )
    .map_err(|e| format!("pg_hba.conf: {e}"))?;
    let (ca_file, other_ca_file) = certificates(&root, &data, as_postgres)?;
    let port = free_port();
    running.options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1,127.0.0.2 -c ssl=on -c shared_preload_libraries=pg_stat_statements -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        root.display()
    );
    running.pg_ctl_start()?;
    let cluster = Cluster {
        bin: running.bin.clone(),
        port,
        user,
        ca_file,
        other_ca_file,
    };
    cluster.psql(
        "postgres",
        &format!("CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{PASSWORD}'"),
    );
    // What each test's database was asked, counted by the server itself.
    cluster.psql("postgres", "CREATE EXTENSION pg_stat_statements");
    Ok((running, cluster))
}

/// A CA, the server's certificate for 127.0.0.2 signed by it (`server.crt`
/// and `server.key` in the data dir, where `ssl=on` looks), and a second CA
/// that signed nothing — made with the `openssl` tool.
fn certificates(
    root: &std::path::Path,
    data: &std::path::Path,
    as_postgres: bool,
) -> Result<(PathBuf, PathBuf), String> {
    let certs = root.join("certs");
    std::fs::create_dir_all(&certs).map_err(|e| format!("{e}"))?;
    let openssl = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("openssl")
            .current_dir(&certs)
            .args(args)
            .output()
            .map_err(|e| format!("openssl fehlt: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    for ca in ["ca", "other-ca"] {
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN=Zeitrechnung Test {ca}"),
            "-keyout",
            &format!("{ca}.key"),
            "-out",
            &format!("{ca}.pem"),
        ])?;
    }
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.2",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ])?;
    std::fs::write(certs.join("san.ext"), "subjectAltName=IP:127.0.0.2\n")
        .map_err(|e| format!("{e}"))?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.crt",
    ])?;
    for f in ["server.crt", "server.key"] {
        std::fs::copy(certs.join(f), data.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        data.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .map_err(|e| format!("{e}"))?;
    if as_postgres {
        Command::new("chown")
            .args(["postgres:postgres"])
            .arg(data.join("server.crt"))
            .arg(data.join("server.key"))
            .status()
            .map_err(|e| format!("chown: {e}"))?;
    }
    Ok((certs.join("ca.pem"), certs.join("other-ca.pem")))
}

extern "C" fn stop_at_exit() {
    if let Some(r) = RUNNING.get() {
        let _ = r
            .command("pg_ctl")
            .arg("-D")
            .arg(&r.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&r.root);
    }
}
