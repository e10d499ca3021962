//! The embedded default: a private PostgreSQL cluster in a data folder, started from the
//! machine's installed server binaries, so a fresh checkout runs with one command.
//!
//! The cluster listens on 127.0.0.1 on a port of its own, with a generated password
//! (scram-sha-256) kept in the folder, and survives the service: the next start reuses it.
//! PostgreSQL refuses to run as root, so as root the binaries run as the `postgres` user.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rand::distr::{Alphanumeric, SampleString};

const INSTALL_HINT: &str =
    "PostgreSQL server binaries (initdb, pg_ctl) were not found: install them \
     (Debian/Ubuntu: apt-get install -y postgresql) or set DATABASE_URL to a running server";

/// A running private cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
    password: String,
}

impl Cluster {
    /// Starts the cluster in `dir` (creating it on first use) unless it runs already.
    pub fn ensure(dir: &Path) -> anyhow::Result<Cluster> {
        let bin = find_bin_dir().context(INSTALL_HINT)?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let dir = dir.canonicalize()?;
        let _lock = DirLock::acquire(&dir)?;
        let run_as = RunAs::detect()?;
        let pgdata = dir.join("pgdata");
        let password_file = dir.join("pg-password");
        if !pgdata.join("PG_VERSION").exists() {
            let password = Alphanumeric.sample_string(&mut rand::rng(), 32);
            write_private(&password_file, &password)?;
            run_as.chown(&dir)?;
            tracing::info!(dir = %pgdata.display(), "creating the embedded PostgreSQL cluster");
            run_as.run(
                Command::new(bin.join("initdb"))
                    .arg("-D")
                    .arg(&pgdata)
                    .args([
                        "-U",
                        "lianxin",
                        "-E",
                        "UTF8",
                        "--no-locale",
                        "--auth=scram-sha-256",
                    ])
                    .arg(format!("--pwfile={}", password_file.display())),
            )?;
        }
        let password = std::fs::read_to_string(&password_file)
            .with_context(|| format!("cannot read {}", password_file.display()))?
            .trim()
            .to_owned();
        let port_file = dir.join("port");
        let running = run_as
            .output(
                Command::new(bin.join("pg_ctl"))
                    .arg("status")
                    .arg("-D")
                    .arg(&pgdata),
            )
            .is_ok_and(|o| o.status.success());
        let port = if running {
            std::fs::read_to_string(&port_file)?.trim().parse()?
        } else {
            let port = free_port()?;
            std::fs::write(&port_file, port.to_string())?;
            let sockets = dir.join("run");
            std::fs::create_dir_all(&sockets)?;
            run_as.chown(&dir)?;
            run_as.run(
                Command::new(bin.join("pg_ctl"))
                    .arg("start")
                    .arg("-w")
                    .args(["-t", "60"])
                    .arg("-D")
                    .arg(&pgdata)
                    .arg("-l")
                    .arg(dir.join("postgres.log"))
                    .arg("-o")
                    .arg(format!(
                        "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=on",
                        sockets.display()
                    )),
            )?;
            port
        };
        let cluster = Cluster {
            dir,
            port,
            password,
        };
        cluster.wait_until_ready()?;
        Ok(cluster)
    }

    /// A URL for `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://lianxin:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }

    /// Stops the cluster (fast shutdown: sessions are ended, data is safe).
    pub fn stop(&self) -> anyhow::Result<()> {
        let bin = find_bin_dir().context(INSTALL_HINT)?;
        RunAs::detect()?.run(
            Command::new(bin.join("pg_ctl"))
                .arg("stop")
                .args(["-m", "fast", "-w"])
                .arg("-D")
                .arg(self.dir.join("pgdata")),
        )
    }

    fn wait_until_ready(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() > deadline {
                bail!(
                    "the embedded cluster did not accept connections; see {}/postgres.log",
                    self.dir.display()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }
}

/// Creates `name` on the cluster at `admin_url` unless it exists.
pub async fn create_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use diesel::sql_types::Text;
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(name)
            .get_result(&mut conn)
            .await?;
    if !found.exists {
        diesel::sql_query(format!("CREATE DATABASE \"{}\"", name.replace('"', "")))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}

/// Where the server binaries are: next to `initdb` on PATH, `pg_config --bindir`, or the
/// newest `/usr/lib/postgresql/*/bin` (Debian keeps them off PATH).
pub fn find_bin_dir() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has_tools(d)) {
            return Some(dir);
        }
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_tools(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, dir)| has_tools(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content.as_bytes())?;
    Ok(())
}

/// Reads (or creates on first use) a secret kept in the data folder, e.g. the JWT key of an
/// embedded installation.
pub fn private_secret(dir: &Path, name: &str) -> anyhow::Result<String> {
    let path = dir.join(name);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if existing.trim().len() >= 32 {
            return Ok(existing.trim().to_owned());
        }
    }
    std::fs::create_dir_all(dir)?;
    let secret = Alphanumeric.sample_string(&mut rand::rng(), 48);
    write_private(&path, &secret)?;
    Ok(secret)
}

/// Who runs the server binaries: ourselves, or `postgres` when we are root.
enum RunAs {
    Me,
    Postgres,
}

impl RunAs {
    fn detect() -> anyhow::Result<RunAs> {
        let uid = Command::new("id")
            .arg("-u")
            .output()
            .context("cannot run `id -u`")?;
        Ok(if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
            RunAs::Postgres
        } else {
            RunAs::Me
        })
    }

    fn wrap(&self, command: &mut Command) -> Command {
        match self {
            RunAs::Me => {
                let mut own = Command::new(command.get_program());
                own.args(command.get_args());
                own
            }
            RunAs::Postgres => {
                let mut wrapped = Command::new("runuser");
                wrapped
                    .args(["-u", "postgres", "--"])
                    .arg(command.get_program())
                    .args(command.get_args());
                wrapped
            }
        }
    }

    fn output(&self, command: &mut Command) -> std::io::Result<std::process::Output> {
        self.wrap(command).output()
    }

    fn run(&self, command: &mut Command) -> anyhow::Result<()> {
        let out = self
            .wrap(command)
            .output()
            .context("cannot start a PostgreSQL binary")?;
        if !out.status.success() {
            bail!(
                "{:?} failed: {}{}",
                command.get_program(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    fn chown(&self, dir: &Path) -> anyhow::Result<()> {
        if let RunAs::Postgres = self {
            let status = Command::new("chown")
                .arg("-R")
                .arg("postgres:postgres")
                .arg(dir)
                .status()?;
            if !status.success() {
                bail!("cannot hand {} to the postgres user", dir.display());
            }
        }
        Ok(())
    }
}

/// A crude cross-process lock (a file created exclusively) so that two processes starting
/// at once do not both run initdb. A lock older than a minute is taken as stale.
struct DirLock(PathBuf);

impl DirLock {
    fn acquire(dir: &Path) -> anyhow::Result<DirLock> {
        let path = dir.join(".lock");
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(DirLock(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(60));
                    if stale {
                        let _ = std::fs::remove_file(&path);
                    } else if Instant::now() > deadline {
                        bail!("{} is held by another process", path.display());
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
