//! `notarium serve`: everything the single command starts, built so that tests run the real
//! thing on port 0 with a fresh data directory.

use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use tokio::sync::{Notify, watch};

use crate::audit::Rules;
use crate::audit::schedule::{ScheduledAudit, SharedAuditStatus, validate_cron};
use crate::config::{CertificateSetup, PublicUrl, Settings, signing_paths, time_zone};
use crate::crypto::TrustStore;
use crate::crypto::devpki::add_dev_operator;
use crate::crypto::document_signature::DocumentAnchors;
use crate::crypto::pades::DocumentSigner;
use crate::domain::Role;
use crate::files;
use crate::http::body_guard::BodyPace;
use crate::http::limits::RateLimits;
use crate::http::ops::MetricsAccess;
use crate::http::{AnchorSignal, AppData, SealerLiveness, multipart, verify::VerifyLimits};
use crate::images::Images;
use crate::images::analyse::Analyser;
use crate::ingest::Ingest;
use crate::metrics::Metrics;
use crate::seal::{Sealer, SealerConfig, SharedStatus, halt};
use crate::signals::StopSignals;
use crate::store::Store;
use crate::tls::record_client_cert;
use crate::witness::client::WitnessClient;
use crate::witness::server::{WitnessConfig, serve as serve_witness};
use openssl::pkey::PKey;
use openssl::x509::X509;

/// The file in the data directory that the separate metrics listener's bound address is written
/// to (`metrics.listen`, port 0 allowed).
pub const METRICS_ADDR_FILE: &str = "metrics-addr";

/// The certificate page's and PDF's operator, time zone, font and signing key. Unset signing
/// settings mean the dev PKI's operator certificate (issued here into a dev PKI made before
/// it had one); set ones must load, else start-up stops.
fn certificate_setup(settings: &Settings, pki: &Path) -> anyhow::Result<CertificateSetup> {
    let configured = settings.operator_signing_cert.is_some();
    let (cert, key) =
        signing_paths(settings.operator_signing_cert.as_deref(), settings.operator_signing_key.as_deref(), pki)?;
    if !configured && pki.join("ca.key").exists() {
        add_dev_operator(pki).context("adding the operator's certificate to the dev PKI")?;
    }
    let signer = match DocumentSigner::load(&cert, &key) {
        Ok(s) => Some(Arc::new(s)),
        Err(e) if configured => return Err(e.context("setting operator_signing_cert")),
        Err(e) => {
            tracing::warn!("no document-signing key: certificate PDFs answer 503 ({e:#})");
            None
        }
    };
    if !settings.certificate_font.exists() {
        tracing::warn!(
            "certificate_font {} is missing: certificate PDFs answer 503 until it is installed (Debian: fonts-noto-cjk)",
            settings.certificate_font.display()
        );
    }
    Ok(CertificateSetup {
        operator: settings.operator(),
        zone: time_zone(&settings.certificate_time_zone).context("setting certificate_time_zone")?,
        font: settings.certificate_font.clone(),
        signer,
    })
}

/// Start-up found the database unusable (a wrong URL, an unreachable server, refused
/// credentials): `notarium serve` exits 2, as for a bad setting.
#[derive(Debug, thiserror::Error)]
#[error("{0:#}")]
pub struct Unusable(pub anyhow::Error);

/// A built, not yet running service.
pub struct Application {
    addr: std::net::SocketAddr,
    server: Server,
    stop_sealer: watch::Sender<bool>,
    sealer: tokio::task::JoinHandle<()>,
    writer: tokio::task::JoinHandle<()>,
    witnesses: Vec<ServerHandle>,
    /// The separate `/metrics` listener, when `metrics.listen` is set.
    metrics_server: Option<ServerHandle>,
    audit: ScheduledAudit,
    /// The writer's, sealer's, cosigners' and audit's storage; the handlers have their own.
    store: Store,
    handlers_store: Store,
    ingest: Ingest,
    /// Caught from before `listen-addr` is written; a SIGTERM stops gracefully.
    stop_signals: StopSignals,
    /// Held while running: one service per data directory.
    _data_lock: std::fs::File,
}

impl Application {
    /// Opens the store, prepares the first start, starts witnesses, writer and sealer, and
    /// binds the HTTP listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let data = settings.data.clone();
        validate_cron(&settings.audit_cron).context("setting audit_cron")?;
        std::fs::create_dir_all(&data).with_context(|| format!("creating {}", data.display()))?;
        let data_lock = files::lock(&data).context("another notarium serve uses this data directory")?;
        let database = settings.database()?;
        // The writer, sealer, cosigners and audit, on the main runtime, use this store.
        let store = Store::connect_limited(&database, &settings.page_limit).await.map_err(Unusable)?;
        crate::private_files::warn_about_shared_data(&data, &database);
        let pki = data.join("pki");
        if !pki.join("ca.pem").exists() {
            crate::first_start::create_dev_pki(&pki)?;
        }
        if settings.demo && store.list_tenants().await?.is_empty() {
            crate::first_start::create_demo_tenants(&store, &data).await?;
        }

        let (clients, witnesses) = start_witnesses(&settings, &pki)?;
        let trust = TrustStore::from_dir(&pki.join("trust"))?;
        let hospital_trust = settings.hospital_trust_dir();
        let hospital_anchors = DocumentAnchors::from_dir(&hospital_trust)?;
        if hospital_anchors.is_empty() {
            tracing::warn!("no hospital signing CA in {}: signed invoices are refused", hospital_trust.display());
        }

        let written = Arc::new(Notify::new());
        let metrics = Arc::new(Metrics::default());
        let (ingest, writer) = Ingest::start(store.writer().await?, written.clone());
        let (anchored_tx, anchored_rx) = watch::channel(0u64);
        let status: SharedStatus = Arc::new(Mutex::new(Default::default()));
        // A fork halt recorded before this start is in force from the first request.
        status.lock().expect("status lock").fork = store.log_halt().await.context("reading the fork halt")?;
        let forked = status.clone();
        let halted = Arc::new(move || forked.lock().expect("status lock").fork.as_ref().map(ToString::to_string));
        let ingest = ingest.with_metrics(metrics.clone()).with_halt(halted);
        let interval = Duration::from_millis(settings.seal_interval_ms);
        let sealer = Sealer {
            store: store.clone(),
            config: SealerConfig {
                log: settings.log_name.clone(),
                interval,
                max_batch: settings.max_batch,
                max_skew: Duration::from_millis(settings.max_skew_ms),
                quorum: settings.quorum,
                retry_max: Duration::from_millis(settings.witness_retry_max_ms),
                shutdown_grace: Duration::from_secs(10),
            },
            witnesses: clients,
            trust: trust.clone(),
            written,
            anchored: anchored_tx,
            status: status.clone(),
            metrics: metrics.clone(),
        };
        let (stop_sealer, stop_rx) = watch::channel(false);
        tokio::spawn(halt::follow(store.clone(), status.clone(), halt::POLL, stop_rx.clone()));
        let sealer = tokio::spawn(sealer.run(stop_rx));
        let audit_status = SharedAuditStatus::default();
        let rules = Rules { trust: trust.clone(), quorum: settings.quorum };
        let audit = ScheduledAudit::start(&settings.audit_cron, store.clone(), rules, audit_status.clone()).await?;

        let analyser =
            Analyser::new(settings.max_image_pixels, settings.max_search_pixels, settings.decode_queue.clone());
        let images = Images::load(&store, analyser).await.context("loading the image index")?;
        let images = images.with_metrics(metrics.clone());
        let listener = TcpListener::bind(settings.listen).with_context(|| format!("binding {}", settings.listen))?;
        let addr = listener.local_addr()?;
        let limits = multipart::Limits {
            max_upload_bytes: settings.max_upload_bytes,
            max_image_bytes: settings.max_image_bytes,
            tmp_dir: data.join("tmp"),
            blobs: data.join("blobs"),
        };
        // The HTTP workers run on runtimes of their own (one per actix worker thread), and a
        // PostgreSQL connection belongs to the runtime that opened it: the handlers get a pool
        // of their own, so that the writer, sealer and cosigners, which outlive the workers at
        // a stop (draining, the final seal), never take a connection a worker opened.
        let handlers_store = Store::connect_limited(&database, &settings.page_limit).await.map_err(Unusable)?;
        let app_data = AppData {
            store: web::Data::new(handlers_store.clone()),
            ingest: web::Data::new(ingest.clone()),
            trust: web::Data::new(trust),
            hospital_anchors: web::Data::new(hospital_anchors),
            anchored: web::Data::new(AnchorSignal(anchored_rx)),
            status: web::Data::new(status),
            metrics: web::Data::from(metrics),
            upload: web::Data::new(limits),
            verify: web::Data::new(VerifyLimits { max_file_bytes: settings.max_upload_bytes, quorum: settings.quorum }),
            liveness: web::Data::new(SealerLiveness(interval * 10)),
            audit: web::Data::new(audit_status),
            limits: web::Data::new(RateLimits::new(&settings.rate_limits)),
            metrics_access: web::Data::new(match settings.metrics.listen {
                Some(_) => MetricsAccess::Elsewhere,
                None => MetricsAccess::AdminKey,
            }),
            images: web::Data::new(images),
            public_url: web::Data::new(
                PublicUrl::of(settings.public_url.as_deref(), settings.tls.cert.is_some(), addr)
                    .context("setting public_url")?,
            ),
            unknown_checks: web::Data::new(Default::default()),
            certificate: web::Data::new(certificate_setup(&settings, &pki)?),
            body_pace: web::Data::new(BodyPace {
                timeout: Duration::from_millis(settings.request_body_timeout_ms),
                min_bytes_per_second: settings.min_request_bytes_per_second,
            }),
        };
        let metrics_server = match settings.metrics.listen {
            Some(at) => {
                let listener = TcpListener::bind(at).with_context(|| format!("binding metrics.listen {at}"))?;
                let bound = listener.local_addr()?;
                files::write_atomically(&data, METRICS_ADDR_FILE, bound.to_string().as_bytes())?;
                tracing::info!("metrics on http://{bound}/metrics");
                let data = app_data.clone();
                let server = HttpServer::new(move || App::new().configure(crate::http::metrics_routes(data.clone())))
                    .disable_signals()
                    .workers(1)
                    .listen(listener)?
                    .run();
                let handle = server.handle();
                tokio::spawn(server);
                Some(handle)
            }
            None => None,
        };
        let limits = app_data.limits.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                limits.retain_recent();
            }
        });
        let tls = crate::http::tls::acceptor(&settings.tls)?;
        let server = HttpServer::new(move || crate::http::app(app_data.clone(), crate::pages::routes))
            .disable_signals()
            .shutdown_timeout(30)
            .client_request_timeout(Duration::from_millis(settings.request_header_timeout_ms))
            .on_connect(record_client_cert);
        let (server, scheme) = match tls {
            Some(acceptor) => (server.listen_openssl(listener, acceptor)?, "https"),
            None => (server.listen(listener)?, "http"),
        };
        let server = server.run();
        let stop_signals = StopSignals::listen().context("installing the SIGTERM and SIGINT handlers")?;
        // Scripts read the address from this file; a full disk must not stop a server that can
        // still serve reads (and say why writes are refused).
        if let Err(e) = files::write_atomically(&data, files::ADDR_FILE, addr.to_string().as_bytes()) {
            tracing::warn!("not recording the address in {}: {e:#}", files::ADDR_FILE);
        }
        tracing::info!("listening on {scheme}://{addr}");
        if let Err(e) = store.commit_probe().await {
            let why = crate::store::fault_of(&e).map_or("failing", |f| f.code());
            tracing::warn!("the database cannot commit ({why}): writes are refused until it can: {e:#}");
        }
        Ok(Self {
            addr,
            server,
            stop_sealer,
            sealer,
            writer,
            witnesses,
            metrics_server,
            audit,
            store,
            handlers_store,
            ingest,
            stop_signals,
            _data_lock: data_lock,
        })
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// A handle that stops the HTTP server gracefully (as SIGTERM does).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGTERM, SIGINT or [`Application::handle`]); then lets in-flight
    /// requests finish, seals what is pending and waits for the witnesses to anchor it.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let signals = self.stop_signals;
        tokio::spawn(async move {
            signals.wait().await;
            tracing::info!("stopping: finishing in-flight requests");
            handle.stop(true).await;
        });
        self.server.await.context("the HTTP server")?;
        self.audit.stop().await;
        // Every submission accepted before the stop is committed (or refused) before the final
        // seal; what was acknowledged is sealed even if the storage is failing now.
        if let Err(e) = self.ingest.flush().await {
            tracing::warn!("draining the writer: {e:#}");
        }
        drop(self.ingest);
        tracing::info!("HTTP stopped; sealing what is pending");
        let _ = self.stop_sealer.send(true);
        let _ = self.sealer.await;
        self.writer.abort();
        for w in self.witnesses.into_iter().chain(self.metrics_server) {
            w.stop(true).await;
        }
        self.store.close().await;
        self.handlers_store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// External witnesses from the settings, or a court and a notary in-process, each on its own
/// loopback port with its own key and state directory, reached through the same HTTP path.
fn start_witnesses(settings: &Settings, pki: &Path) -> anyhow::Result<(Vec<WitnessClient>, Vec<ServerHandle>)> {
    let timeout = Duration::from_millis(settings.witness_timeout_ms);
    if !settings.witnesses.is_empty() {
        let clients = settings
            .witnesses
            .iter()
            .map(|w| {
                let ca = w.ca.as_ref().map(|p| std::fs::read(p).with_context(|| format!("reading {}", p.display())));
                let ca = ca.transpose()?;
                WitnessClient::connect(w.name.clone(), w.role, &w.url, w.credential.load()?, ca.as_deref(), timeout)
            })
            .collect::<anyhow::Result<_>>()?;
        return Ok((clients, Vec::new()));
    }
    let mut clients = Vec::new();
    let mut handles = Vec::new();
    for role in [Role::Court, Role::Notary] {
        let dir = settings.data.join("witnesses").join(role.as_str());
        std::fs::create_dir_all(&dir)?;
        let token = read_or_create_token(&dir.join("operator-token"))?;
        let read = |name: &str| std::fs::read(pki.join(name)).with_context(|| format!("reading pki/{name}"));
        let config = WitnessConfig {
            name: role.as_str().parse()?,
            role,
            log: settings.log_name.clone(),
            key: PKey::private_key_from_pem(&read(&format!("{role}.key"))?)?,
            cert: X509::from_pem(&read(&format!("{role}.pem"))?)?,
            intermediates: Vec::new(),
            state_dir: dir.join("state"),
            max_skew: Duration::from_millis(settings.max_skew_ms),
            operator_tokens: vec![token.clone()],
            operator_certs: Vec::new(),
            tls: None,
        };
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let server = serve_witness(config, listener)?;
        handles.push(server.handle());
        tokio::spawn(server);
        clients.push(WitnessClient::new(role.as_str().parse()?, role, &url, &token, timeout)?);
        tracing::info!("{role} witness in-process at {url}");
    }
    Ok((clients, handles))
}

fn read_or_create_token(path: &Path) -> anyhow::Result<String> {
    if let Ok(token) = std::fs::read_to_string(path) {
        return Ok(token.trim().to_owned());
    }
    let mut bytes = [0u8; 32];
    openssl::rand::rand_bytes(&mut bytes)?;
    let token = hex::encode(bytes);
    files::create_new(path, token.as_bytes(), 0o600)?;
    Ok(token)
}
