//! Pages in a real browser: headless Chromium driven through WebDriver (`chromedriver`),
//! against a Vigo server listening on a local port. Content-Security-Policy violations are
//! collected from the first script of every document on, and screenshots are kept in
//! `tests/output/` to look at.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

/// Whether browser tests must run (CI sets `VIGO_BROWSER_TESTS=required`); otherwise a
/// machine without Chromium skips them, saying so.
pub fn required() -> bool {
    std::env::var("VIGO_BROWSER_TESTS").is_ok_and(|v| v == "required")
}

/// A server for `router` on a free local port; its address.
pub async fn serve(router: axum::Router) -> anyhow::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(address)
}

/// A headless Chromium session, with its driver process (stopped when dropped).
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: TempProfile,
}

struct TempProfile(PathBuf);

impl Drop for TempProfile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A Chrome DevTools Protocol command sent through chromedriver.
#[derive(Debug)]
struct DevTools {
    method: &'static str,
    params: serde_json::Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Records every CSP violation a document reports, from before its first script.
const COLLECT_VIOLATIONS: &str = "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.effectiveDirective + ' ' + e.blockedURI));";

impl Browser {
    /// Starts chromedriver and a headless Chromium; `None` (with a note on stderr) where the
    /// machine has neither and browser tests are not required.
    pub async fn start() -> anyhow::Result<Option<Browser>> {
        let driver_path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(driver_path) = driver_path else {
            anyhow::ensure!(!required(), "chromedriver is not installed");
            eprintln!(
                "skipped: chromedriver is not installed (apt-get install chromium chromium-driver)"
            );
            return Ok(None);
        };
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?.port()
        };
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let profile = TempProfile(
            std::env::temp_dir().join(format!("vigo-chromium-{}-{port}", std::process::id())),
        );
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.0.display()),
                ],
            }),
        );
        let mut last_error = None;
        for _ in 0..50 {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => {
                    client
                        .issue_cmd(DevTools {
                            method: "Page.addScriptToEvaluateOnNewDocument",
                            params: serde_json::json!({ "source": COLLECT_VIOLATIONS }),
                        })
                        .await?;
                    return Ok(Some(Browser {
                        client,
                        driver,
                        _profile: profile,
                    }));
                }
                Err(e) => {
                    last_error = Some(e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        anyhow::bail!("chromedriver did not start a session: {last_error:?}")
    }

    /// The CSP violations the current document has reported.
    pub async fn violations(&self) -> anyhow::Result<Vec<String>> {
        let value = self
            .client
            .execute("return window.__violations || ['no collector'];", vec![])
            .await?;
        Ok(serde_json::from_value(value)?)
    }

    /// Waits until `script` returns a truthy value (at most `timeout`); returns that value.
    pub async fn wait_for(
        &self,
        script: &str,
        timeout: Duration,
    ) -> anyhow::Result<serde_json::Value> {
        let started = std::time::Instant::now();
        loop {
            let value = self.client.execute(script, vec![]).await?;
            let truthy = !matches!(
                &value,
                serde_json::Value::Null | serde_json::Value::Bool(false)
            ) && value != serde_json::json!("");
            if truthy {
                return Ok(value);
            }
            anyhow::ensure!(
                started.elapsed() < timeout,
                "timed out waiting for: {script}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// [`Browser::wait_for`], keeping a screenshot as `NAME` when it times out.
    pub async fn wait_for_or_screenshot(
        &self,
        name: &str,
        script: &str,
        timeout: Duration,
    ) -> anyhow::Result<serde_json::Value> {
        match self.wait_for(script, timeout).await {
            Ok(value) => Ok(value),
            Err(e) => {
                let shot = self.screenshot(name).await?;
                Err(e.context(format!("screenshot: {}", shot.display())))
            }
        }
    }

    /// Lets the page download files into `dir` (headless Chromium refuses them otherwise).
    pub async fn allow_downloads(&self, dir: &std::path::Path) -> anyhow::Result<()> {
        self.client
            .issue_cmd(DevTools {
                method: "Browser.setDownloadBehavior",
                params: serde_json::json!({
                    "behavior": "allow",
                    "downloadPath": dir.display().to_string(),
                }),
            })
            .await?;
        Ok(())
    }

    /// Cuts the page off the network (`true`) or gives it back, as a lost connection would.
    pub async fn offline(&self, offline: bool) -> anyhow::Result<()> {
        self.client
            .issue_cmd(DevTools {
                method: "Network.enable",
                params: serde_json::json!({}),
            })
            .await?;
        self.client
            .issue_cmd(DevTools {
                method: "Network.emulateNetworkConditions",
                params: serde_json::json!({
                    "offline": offline,
                    "latency": 0,
                    "downloadThroughput": -1,
                    "uploadThroughput": -1,
                }),
            })
            .await?;
        Ok(())
    }

    /// Saves a screenshot as `tests/output/NAME.png`; returns its path.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("output");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }
}
