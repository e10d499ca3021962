//! The command line: `serve`, `migrate`, `create-platform-admin`, `import-households`,
//! `calendar-import`, `demo`.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};

use crate::config::Settings;
use crate::startup::{prepare_database, AppState, Application};

#[derive(Parser)]
#[command(
    name = "lianxin",
    version,
    about = "网格连心、组团服务 — household contact work of townships"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on (default `LIANXIN_BIND` or 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        /// Seed the demo township on first start and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Create a platform admin (city operator); the password is read from standard input.
    CreatePlatformAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Import a household roster (CSV or XLSX) into a township.
    ImportHouseholds {
        #[arg(long)]
        tenant: String,
        file: PathBuf,
    },
    /// Load a year's holidays and make-up working days into a township's calendar: from a
    /// CSV file `date,workday,note`, or the built-in national schedule (`--china 2026`).
    CalendarImport {
        #[arg(long)]
        tenant: String,
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        china: Option<i32>,
        file: Option<PathBuf>,
    },
    /// Seed the demo township 新埭镇 (tenant `xindai`) with N weeks of history.
    Demo {
        #[arg(long, default_value_t = 4)]
        weeks: u32,
    },
}

pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    // Logs go to stderr without blocking request threads on a slow terminal for long:
    // the writer is line-buffered and only info-level request spans are on by default.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    match cli.command {
        Command::Serve { bind, demo } => serve(settings, bind, demo).await,
        Command::Migrate => {
            prepare_database(&settings).await?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::CreatePlatformAdmin {
            username,
            display_name,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("cannot read the password")?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            let database = prepare_database(&settings).await?;
            let pool = crate::db::pool(database.url.expose_secret(), 2, settings.db_timeout)?;
            let display_name = display_name.unwrap_or_else(|| username.clone());
            let id = crate::tenants::platform_admins::create(
                &pool,
                &username,
                &display_name,
                SecretString::from(password),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.body().error.message_with_fields()))?;
            println!("platform admin {username} created ({id})");
            Ok(())
        }
        Command::ImportHouseholds { tenant, file } => {
            let database = prepare_database(&settings).await?;
            let pool = crate::db::pool(database.url.expose_secret(), 2, settings.db_timeout)?;
            crate::households::import::run_cli(&pool, &tenant, &file).await
        }
        Command::CalendarImport {
            tenant,
            china,
            file,
        } => {
            let database = prepare_database(&settings).await?;
            let pool = crate::db::pool(database.url.expose_secret(), 2, settings.db_timeout)?;
            match (china, file) {
                (Some(year), _) => {
                    let days = crate::calendar::import::china(year)?;
                    let source = format!("national schedule {year}");
                    crate::calendar::import::run(&pool, &tenant, days, &source).await
                }
                (None, Some(file)) => {
                    crate::calendar::import::run_file(&pool, &tenant, &file).await
                }
                (None, None) => anyhow::bail!("give a FILE or --china YEAR"),
            }
        }
        Command::Demo { weeks } => {
            let database = prepare_database(&settings).await?;
            let pool = crate::db::pool(database.url.expose_secret(), 4, settings.db_timeout)?;
            crate::demo::seed(&pool, database.url.expose_secret(), weeks, true).await?;
            crate::demo::print_logins();
            Ok(())
        }
    }
}

async fn serve(settings: Settings, bind: Option<String>, demo: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let database = prepare_database(&settings).await?;
    let pool = crate::db::pool(
        database.url.expose_secret(),
        settings.pool_size,
        settings.db_timeout,
    )?;
    if demo {
        if crate::demo::seed(&pool, database.url.expose_secret(), 4, false).await? {
            tracing::info!("demo township seeded");
        }
        crate::demo::print_logins();
    }
    let bind = bind.unwrap_or_else(|| settings.bind.clone());
    let state = AppState::new(pool, settings, &database.jwt_secret);
    let app = Application::build(state, &bind)?;
    tracing::info!(%bind, port = app.port(), ready_ms = started.elapsed().as_millis() as u64, "lianxin is serving");
    println!(
        "lianxin is serving on http://{}:{}/ (API docs at /docs)",
        bind.rsplit_once(':').map_or(bind.as_str(), |b| b.0),
        app.port()
    );
    app.run().await?;
    if let Some(cluster) = database.cluster {
        // The embedded cluster keeps running for the next start only if asked to.
        if std::env::var_os("LIANXIN_KEEP_CLUSTER").is_none() {
            cluster.stop().ok();
        }
    }
    Ok(())
}
