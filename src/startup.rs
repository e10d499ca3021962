//! Builds the application: settings → database → pool → routes; binds and reports the port
//! (port 0 in tests), so tests and the binary run the very same server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, DefaultHeaders, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use secrecy::{ExposeSecret, SecretString};
use tracing_actix_web::TracingLogger;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::throttle::LoginThrottle;
use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::db::cluster::{self, Cluster};
use crate::db::{self, DbPool};
use crate::metrics::Metrics;
use crate::visits::writer::VisitWriter;
use crate::{http, openapi, service};

/// Everything a request may need, shared by all workers. Each part is registered as its own
/// application data, and a handler names the parts it uses (`web::Data<VisitWriter>`,
/// `web::Data<LoginThrottle>`…): no handler reaches the whole state, and the modules that
/// define the parts need not know this one (docs/architecture.md, "Layers"). The raw pool is
/// for the platform paths (login, refresh, readiness); tenant data goes through `Caller::db`,
/// which scopes the connection.
pub struct AppState {
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    tokens: web::Data<TokenKeys>,
    metrics: web::Data<Metrics>,
    throttle: web::Data<LoginThrottle>,
    visits: web::Data<VisitWriter>,
}

impl AppState {
    pub fn new(pool: DbPool, settings: Settings, jwt_secret: &SecretString) -> AppState {
        let tokens = TokenKeys::new(jwt_secret, settings.access_ttl.as_secs() as i64);
        let throttle = LoginThrottle::new(&settings);
        let metrics = Metrics::new();
        let visits = VisitWriter::new(
            pool.clone(),
            // The writers keep their connections: at most half the pool, so that every
            // other request still finds one.
            settings.visit_writers.min((settings.pool_size / 2).max(1)),
            settings.db_timeout,
            metrics.visit_group_size.clone(),
        );
        AppState {
            visits: web::Data::new(visits),
            pool: web::Data::new(pool),
            settings: web::Data::new(settings),
            tokens: web::Data::new(tokens),
            metrics: web::Data::new(metrics),
            throttle: web::Data::new(throttle),
        }
    }

    /// Every part, as application data of one worker's `App`.
    fn register(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(self.pool.clone())
            .app_data(self.settings.clone())
            .app_data(self.tokens.clone())
            .app_data(self.metrics.clone())
            .app_data(self.throttle.clone())
            .app_data(self.visits.clone());
    }
}

/// Where the database is and the key tokens are signed with.
pub struct Database {
    pub url: SecretString,
    pub jwt_secret: SecretString,
    /// The embedded cluster, when `DATABASE_URL` is unset.
    pub cluster: Option<Cluster>,
}

/// Resolves the database: `DATABASE_URL`, or the embedded cluster in `LIANXIN_DATA_DIR`
/// (started or reused), and migrates it.
pub async fn prepare_database(settings: &Settings) -> anyhow::Result<Database> {
    let database = match (&settings.database_url, &settings.jwt_secret) {
        (Some(url), Some(secret)) => Database {
            url: url.clone(),
            jwt_secret: secret.clone(),
            cluster: None,
        },
        (Some(_), None) => anyhow::bail!(crate::config::SettingsError::MissingJwtSecret),
        (None, secret) => {
            let dir = settings.data_dir.clone();
            let started =
                tokio::task::spawn_blocking(move || Cluster::ensure(&dir.join("postgres")))
                    .await??;
            cluster::create_database(&started.url("postgres"), "lianxin").await?;
            let jwt_secret = match secret {
                Some(secret) => secret.clone(),
                None => {
                    SecretString::from(cluster::private_secret(&settings.data_dir, "jwt-secret")?)
                }
            };
            Database {
                url: SecretString::from(started.url("lianxin")),
                jwt_secret,
                cluster: Some(started),
            }
        }
    };
    let applied = db::migrate::run(database.url.expose_secret()).await?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    Ok(database)
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `bind` (use port 0 for any free port) and builds the server; `run` serves.
    pub fn build(state: AppState, bind: &str) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(bind)?;
        let port = listener.local_addr()?.port();
        state.visits.start();
        let state = Arc::new(state);
        let openapi = Arc::new(openapi::document());
        let server = HttpServer::new(move || {
            let cors = cors(&state.settings);
            let state = state.clone();
            App::new()
                .configure(move |cfg| state.register(cfg))
                .app_data(http::json_config())
                .app_data(http::payload_config())
                .app_data(http::query_config())
                .app_data(http::path_config())
                .wrap(
                    ErrorHandlers::new()
                        .handler(StatusCode::METHOD_NOT_ALLOWED, http::method_not_allowed),
                )
                .wrap(cors)
                .wrap(from_fn(http::cors_refusal))
                .wrap(from_fn(http::refuse_nul))
                .wrap(from_fn(http::deadline))
                .wrap(from_fn(http::localize))
                .wrap(from_fn(crate::metrics::track))
                .wrap(TracingLogger::default())
                // Load balancers probe with GET or HEAD (actix sends HEAD no body).
                .service(
                    web::resource("/healthz")
                        .route(web::get().to(service::healthz))
                        .route(web::head().to(service::healthz)),
                )
                .service(
                    web::resource("/readyz")
                        .route(web::get().to(service::readyz))
                        .route(web::head().to(service::readyz)),
                )
                .route("/metrics", web::get().to(service::metrics))
                .route("/docs", web::get().to(service::docs))
                // The API scope comes first: the docs' scope has an empty prefix, and a scope
                // that matches a path answers it (404 included) instead of passing it on.
                .service(
                    web::scope("/api/v1")
                        .app_data(web::Data::from(openapi.clone()))
                        .route("/openapi.json", web::get().to(service::openapi_json))
                        .configure(routes),
                )
                // The web clients, before the docs' catch-all scope.
                .configure(crate::web::routes)
                .service(web::scope("").wrap(docs_headers()).service(
                    SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", (*openapi).clone()),
                ))
                .default_service(web::to(http::not_found))
        })
        .listen(listener)?
        // The request head must arrive within 5 s (slow-loris); handlers are bounded by
        // `http::deadline`; on SIGTERM in-flight requests get up to 30 s to finish.
        .client_request_timeout(std::time::Duration::from_secs(5))
        .client_disconnect_timeout(std::time::Duration::from_secs(1))
        .shutdown_timeout(30)
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped; SIGTERM/SIGINT let in-flight requests finish first.
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }

    pub fn into_server(self) -> Server {
        self.server
    }
}

/// Every API route, by feature.
pub fn routes(cfg: &mut web::ServiceConfig) {
    crate::account::handlers::routes(cfg);
    crate::tenants::routes(cfg);
    crate::users::routes(cfg);
    crate::grids::routes(cfg);
    crate::households::routes(cfg);
    crate::tags::routes(cfg);
    crate::tasks::routes(cfg);
    crate::visits::routes(cfg);
    crate::issues::routes(cfg);
    crate::departments::routes(cfg);
    crate::calendar::routes(cfg);
    crate::stats::routes(cfg);
    crate::audit::routes(cfg);
    cfg.default_service(web::to(http::not_found));
}

fn cors(settings: &Settings) -> actix_cors::Cors {
    // Off by default: browsers may call the API only from the configured origins.
    settings
        .cors_origins
        .iter()
        .fold(actix_cors::Cors::default(), |cors, origin| {
            cors.allowed_origin(origin)
        })
        .allow_any_method()
        .allow_any_header()
        .max_age(3600)
}

fn docs_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ))
}
