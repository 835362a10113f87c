//! `warden serve` and `warden keys`.

use crate::config::Config;
use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use warden_server::auth::AccessKey;
use warden_server::{App, ServerConfig};
use warden_store::SqliteStore;

#[derive(Args)]
pub struct ServeArgs {
    /// Data directory shared with `warden scan --data-dir`.
    #[arg(long, default_value = "warden-data", env = "WARDEN_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Address to listen on (loopback by default; use 0.0.0.0:PORT deliberately).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Configuration file (TOML; see `[serve]`).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `[serve]` in the configuration file.
///
/// ```toml
/// [serve]
/// listen = "127.0.0.1:8180"
/// regions = ["us-east-1", "eu-west-1"]   # accepted in signatures; any when absent
/// max_body_bytes = 1048576
/// header_read_timeout_secs = 30           # request line + headers must arrive within this
/// body_read_timeout_secs = 30             # the body must arrive within this (else 408)
/// publish_interval_secs = 60              # how often publishing destinations are exported to
/// [[serve.keys]]                           # in addition to `warden keys create/import`
/// access_key_id = "AKIA..."
/// secret_access_key = "..."
/// account_id = "123456789012"
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeSection {
    pub listen: Option<SocketAddr>,
    pub regions: Option<Vec<String>>,
    pub max_body_bytes: Option<usize>,
    /// Seconds a client has to send its request line and headers before the connection is
    /// closed (bounds how long a silent or trickling client holds a connection). Default 30.
    pub header_read_timeout_secs: Option<u64>,
    /// Seconds a client has to send its body once the headers are in; slower gets 408
    /// `RequestTimeoutException`. Default 30.
    pub body_read_timeout_secs: Option<u64>,
    /// Seconds between exports to publishing destinations (GuardDuty's 5-minute minimum
    /// does not apply: Warden exports what changed, so a short interval only costs requests).
    /// Default 60.
    pub publish_interval_secs: Option<u64>,
    pub keys: Vec<KeyEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub account_id: String,
    /// `member` (default) or `administrator`: the organization's management principal, the
    /// only one that may designate the delegated GuardDuty administrator.
    #[serde(default)]
    pub role: warden_server::auth::KeyRole,
}

impl std::fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEntry")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("account_id", &self.account_id)
            .finish()
    }
}

/// The server settings from the command line and `[serve]`.
fn server_config(args: &ServeArgs, config: &Config) -> anyhow::Result<ServerConfig> {
    let mut sc = ServerConfig {
        data_dir: args.data_dir.clone(),
        ..ServerConfig::default()
    };
    if let Some(l) = args.listen.or(config.serve.listen) {
        sc.listen = l;
    }
    sc.regions = config.serve.regions.clone();
    if let Some(m) = config.serve.max_body_bytes {
        sc.max_body_bytes = m;
    }
    for (secs, field, name) in [
        (
            config.serve.header_read_timeout_secs,
            &mut sc.header_read_timeout,
            "header_read_timeout_secs",
        ),
        (
            config.serve.body_read_timeout_secs,
            &mut sc.body_read_timeout,
            "body_read_timeout_secs",
        ),
        (
            config.serve.publish_interval_secs,
            &mut sc.publish_interval,
            "publish_interval_secs",
        ),
    ] {
        if let Some(secs) = secs {
            anyhow::ensure!(secs > 0, "[serve] {name} must be at least 1");
            *field = std::time::Duration::from_secs(secs);
        }
    }
    for k in &config.serve.keys {
        warden_server::keys::validate(&k.access_key_id, &k.secret_access_key, &k.account_id)
            .map_err(|e| anyhow::anyhow!("[serve] key {}: {e}", k.access_key_id))?;
    }
    Ok(sc)
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.as_deref())?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WARDEN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let sc = server_config(&args, &config)?;
    let configured = config
        .serve
        .keys
        .iter()
        .map(|k| AccessKey {
            access_key_id: k.access_key_id.clone(),
            secret_access_key: k.secret_access_key.clone(),
            account_id: k.account_id.clone(),
            session_token: None,
            role: k.role,
        })
        .collect();
    let app = App::open_with_keys(&sc, configured)
        .with_context(|| format!("opening {}", sc.data_dir.display()))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        warden_server::serve(&sc, app, shutdown).await
    })?;
    Ok(())
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create an access key for an account; prints the key id and secret as JSON (once).
    Create {
        #[arg(long)]
        account: String,
        /// `member`, or `administrator` for the organization's management principal (the only
        /// one that may designate the delegated GuardDuty administrator).
        #[arg(long, value_parser = ["member", "administrator"], default_value = "member")]
        role: String,
        #[arg(long, default_value = "warden-data", env = "WARDEN_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Store an existing key pair (for example the dummy keys a test harness uses).
    Import {
        #[arg(long)]
        access_key: String,
        #[arg(long)]
        secret: String,
        #[arg(long)]
        account: String,
        /// `member`, or `administrator` for the organization's management principal.
        #[arg(long, value_parser = ["member", "administrator"], default_value = "member")]
        role: String,
        #[arg(long, default_value = "warden-data", env = "WARDEN_DATA_DIR")]
        data_dir: PathBuf,
    },
}

pub fn keys(cmd: KeysCommand) -> anyhow::Result<()> {
    let now = warden_model::time::format_timestamp(warden_model::time::now_millis());
    match cmd {
        KeysCommand::Create {
            account,
            role,
            data_dir,
        } => {
            warden_server::keys::validate(
                "AKIA0000000000000000",
                "x".repeat(40).as_str(),
                &account,
            )
            .map_err(|e| anyhow::anyhow!(e))?;
            let mut store = SqliteStore::open(&data_dir)?;
            let role = warden_server::auth::KeyRole::parse(&role);
            let k = warden_server::keys::generate(&account, &now, role);
            store.put_access_key(&k)?;
            println!(
                "{}",
                serde_json::json!({
                    "AccessKeyId": k.access_key_id,
                    "SecretAccessKey": k.secret_access_key,
                    "AccountId": k.account_id,
                    "Role": k.role,
                })
            );
        }
        KeysCommand::Import {
            access_key,
            secret,
            account,
            role,
            data_dir,
        } => {
            warden_server::keys::validate(&access_key, &secret, &account)
                .map_err(|e| anyhow::anyhow!(e))?;
            let mut store = SqliteStore::open(&data_dir)?;
            store.put_access_key(&warden_store::AccessKeyRecord {
                access_key_id: access_key.clone(),
                secret_access_key: secret,
                account_id: account.clone(),
                created_at: now,
                role: warden_server::auth::KeyRole::parse(&role)
                    .as_str()
                    .to_string(),
            })?;
            eprintln!("warden keys: imported {access_key} for account {account}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> anyhow::Result<ServerConfig> {
        let config: Config = toml::from_str(toml_text)?;
        let args = ServeArgs {
            data_dir: "d".into(),
            listen: None,
            config: None,
        };
        server_config(&args, &config)
    }

    #[test]
    fn serve_intervals_are_configurable_and_must_be_positive() {
        let sc = parse(
            "[serve]\nheader_read_timeout_secs = 5\nbody_read_timeout_secs = 7\npublish_interval_secs = 9\n",
        )
        .unwrap();
        assert_eq!(sc.header_read_timeout, std::time::Duration::from_secs(5));
        assert_eq!(sc.body_read_timeout, std::time::Duration::from_secs(7));
        assert_eq!(sc.publish_interval, std::time::Duration::from_secs(9));
        let sc = parse("").unwrap();
        assert_eq!(
            sc.header_read_timeout,
            ServerConfig::default().header_read_timeout
        );
        let e = parse("[serve]\nheader_read_timeout_secs = 0\n").unwrap_err();
        assert!(e.to_string().contains("header_read_timeout_secs"), "{e}");
        assert!(parse("[serve]\nheader_timeout = 5\n").is_err());
    }
}
