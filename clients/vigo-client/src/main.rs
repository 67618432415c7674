//! `vigo-client`: pulls statistics tables and recipient files from a Vigo server over HTTP
//! (`GET /extracts/…` with the user's bearer token), for statisticians and recipients on
//! their own machines. It knows nothing of Vigo but its public HTTP interface.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Pulls Vigo's statistics and extracts over HTTP.
#[derive(Debug, Parser)]
#[command(name = "vigo-client", version, about)]
struct Cli {
    /// The Vigo server, e.g. `https://vigo.example-county.no`.
    #[arg(
        long,
        global = true,
        env = "VIGO_SERVER",
        default_value = "http://127.0.0.1:8080"
    )]
    server: String,
    /// Your bearer token (JWT).
    #[arg(long, global = true, env = "VIGO_TOKEN", hide_env_values = true)]
    token: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lists the statistics and recipient files the server offers.
    List,
    /// Downloads one extract to a file; nothing is left behind if the pull fails.
    Extract {
        /// The extract's name, as `list` shows it.
        name: String,
        /// `csv`, `parquet` or (statistics) `jsonstat`.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Where to write the file.
        #[arg(long)]
        out: PathBuf,
        /// Replace a file that exists at `--out`.
        #[arg(long)]
        overwrite: bool,
        /// Statistics: keep only these categories of a dimension, `DIMENSION=ID,ID` (repeatable).
        #[arg(long = "filter", value_name = "DIMENSION=IDS")]
        filters: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let token = cli
        .token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| anyhow::anyhow!("give your token with --token or VIGO_TOKEN"))?;
    let server = cli.server.trim_end_matches('/');
    let client = reqwest::Client::builder()
        .user_agent(concat!("vigo-client/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(10))
        .read_timeout(std::time::Duration::from_secs(300))
        .build()?;
    match cli.command {
        Command::List => list(&client, server, token).await,
        Command::Extract {
            name,
            format,
            out,
            overwrite,
            filters,
        } => {
            let destination = Destination::check(&out, overwrite)?;
            // The name is one path segment (percent-encoded), so no name can send the token
            // to another host or path.
            let mut url = reqwest::Url::parse(&format!("{server}/extracts"))
                .map_err(|e| anyhow::anyhow!("--server {server}: {e}"))?;
            url.path_segments_mut()
                .map_err(|()| anyhow::anyhow!("--server {server}: not a base URL"))?
                .push(&name);
            url.query_pairs_mut().append_pair("format", &format);
            for filter in &filters {
                url.query_pairs_mut().append_pair("filter", filter);
            }
            // Ctrl-C stops the pull and removes what it wrote.
            let pulled = tokio::select! {
                pulled = download(&client, url, token, &destination) => pulled,
                _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted; nothing was written")),
            };
            match pulled {
                Ok(bytes) => {
                    println!("wrote {bytes} bytes to {}", out.display());
                    Ok(())
                }
                Err(e) => {
                    destination.discard();
                    Err(e)
                }
            }
        }
    }
}

/// Prints the server's catalogue.
async fn list(client: &reqwest::Client, server: &str, token: &str) -> anyhow::Result<()> {
    let response = send(
        client.get(format!("{server}/extracts")).bearer_auth(token),
        server,
    )
    .await?;
    let catalogue: serde_json::Value = response.json().await?;
    println!("Statistics:");
    for statistic in catalogue["statistics"].as_array().into_iter().flatten() {
        let dimensions: Vec<&str> = statistic["dimensions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["id"].as_str())
            .collect();
        println!(
            "  {:<26} {} [{}]",
            statistic["name"].as_str().unwrap_or(""),
            statistic["title"].as_str().unwrap_or(""),
            dimensions.join(" × ")
        );
    }
    println!("Recipient files:");
    for file in catalogue["recipientFiles"].as_array().into_iter().flatten() {
        println!(
            "  {:<26} {}",
            file["name"].as_str().unwrap_or(""),
            file["description"].as_str().unwrap_or("")
        );
    }
    Ok(())
}

/// Streams the response into the staging file with a progress bar, then puts it in place.
async fn download(
    client: &reqwest::Client,
    url: reqwest::Url,
    token: &str,
    destination: &Destination,
) -> anyhow::Result<u64> {
    let server = url.origin().ascii_serialization();
    let mut response = send(client.get(url).bearer_auth(token), &server).await?;
    let progress = match response.content_length() {
        Some(length) => indicatif::ProgressBar::new(length),
        None => indicatif::ProgressBar::no_length(),
    };
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bytes}/{total_bytes} {bar:30} {bytes_per_sec}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut file = destination.stage()?;
    let mut written = 0u64;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| anyhow::anyhow!("the download broke off: {e}"))?
    {
        std::io::Write::write_all(&mut file, &chunk)?;
        written += chunk.len() as u64;
        progress.set_position(written);
    }
    file.sync_all()?;
    progress.finish_and_clear();
    destination.deliver()?;
    Ok(written)
}

/// Sends a request and turns the server's refusals into messages a person can act on.
async fn send(request: reqwest::RequestBuilder, server: &str) -> anyhow::Result<reqwest::Response> {
    let response = request.send().await.map_err(|e| {
        anyhow::anyhow!(
            "cannot reach the Vigo server at {server}: {e}; check --server or VIGO_SERVER"
        )
    })?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let message = body["errors"][0]["message"]
        .as_str()
        .unwrap_or(if status.as_u16() == 404 {
            "no such address; is --server a Vigo server?"
        } else {
            "no explanation given"
        })
        .to_owned();
    anyhow::bail!(match status.as_u16() {
        401 => format!("the server did not accept your token: {message}"),
        403 => format!("not allowed: {message}"),
        404 => message,
        429 => format!("too many requests; wait a moment and try again ({message})"),
        _ => format!("the server answered {status}: {message}"),
    })
}

/// Where the file goes: checked before anything is pulled, written beside it first (hidden,
/// owner-only), and put in place only once complete.
struct Destination {
    path: PathBuf,
    overwrite: bool,
}

impl Destination {
    fn check(path: &Path, overwrite: bool) -> anyhow::Result<Self> {
        let shown = path.display();
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        anyhow::ensure!(path.file_name().is_some(), "--out {shown}: not a file name");
        anyhow::ensure!(
            parent.is_dir(),
            "--out {shown}: the folder {} does not exist",
            parent.display()
        );
        if let Ok(found) = std::fs::symlink_metadata(path) {
            anyhow::ensure!(!found.is_dir(), "--out {shown}: is a folder");
            anyhow::ensure!(
                !found.file_type().is_symlink(),
                "--out {shown}: is a symbolic link"
            );
            anyhow::ensure!(
                overwrite,
                "--out {shown}: exists; pass --overwrite to replace it"
            );
        }
        Ok(Destination {
            path: path.to_owned(),
            overwrite,
        })
    }

    /// This run's own staging file: another run's (or one a crash left) is never touched.
    fn staging(&self) -> PathBuf {
        let mut name = std::ffi::OsString::from(".");
        name.push(self.path.file_name().unwrap_or_default());
        name.push(format!(".{}.partial", std::process::id()));
        self.path.with_file_name(name)
    }

    fn stage(&self) -> anyhow::Result<std::fs::File> {
        let staging = self.staging();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&staging)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", staging.display()))
    }

    fn deliver(&self) -> anyhow::Result<()> {
        let staging = self.staging();
        let placed = if self.overwrite {
            std::fs::rename(&staging, &self.path)
        } else {
            std::fs::hard_link(&staging, &self.path).and_then(|()| std::fs::remove_file(&staging))
        };
        placed.map_err(|e| anyhow::anyhow!("cannot write {}: {e}", self.path.display()))
    }

    fn discard(&self) {
        let _ = std::fs::remove_file(self.staging());
    }
}
