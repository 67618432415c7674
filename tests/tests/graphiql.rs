//! GraphiQL is served from the binary, pinned, under a Content-Security-Policy that lets
//! nothing from elsewhere run on the page where people paste their tokens; and it works, in
//! a real browser, with nothing but this server.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::Value;
use sha2::Digest;
use vigo_policy::Role;
use vigo_tests::browser::{Browser, serve};
use vigo_tests::{Backend, TestApp};

const VENDORED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../clients/graphiql");

#[tokio::test]
async fn the_page_and_its_files_come_from_the_binary_under_a_strict_policy() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 10).await?;
    let (status, headers, body) = app.get("/graphql").await?;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body)?;
    let policy = headers["content-security-policy"].to_str()?.to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self';",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    // The style nonce is fresh for every response and is the one the page names.
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_default()
        .to_owned();
    assert!(nonce.len() >= 16 && page.contains(&nonce), "{policy}");
    let (_, again, _) = app.get("/graphql").await?;
    assert_ne!(
        again["content-security-policy"],
        headers["content-security-policy"]
    );
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "nothing from elsewhere"
    );
    assert!(
        !page.contains("<script>") && !page.contains("<style"),
        "no inline code"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");

    // Every file the page loads is served, byte for byte the vendored one whose checksum
    // is recorded.
    let sums = std::fs::read_to_string(format!("{VENDORED}/SHA256SUMS"))?;
    let mut checked = 0;
    for line in sums.lines() {
        let mut parts = line.split_whitespace();
        let (Some(sum), Some(file)) = (parts.next(), parts.next()) else {
            continue;
        };
        let (status, headers, body) = app.get(&format!("/graphiql/{file}")).await?;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert_eq!(hex::encode(sha2::Sha256::digest(&body)), sum, "{file}");
        assert!(headers.contains_key("content-security-policy"));
        checked += 1;
    }
    assert!(checked >= 4, "{sums}");
    for missing in [
        "/graphiql/..%2FCargo.toml",
        "/graphiql/vendor.sh",
        "/graphiql/index.html",
    ] {
        assert_eq!(
            app.get(missing).await?.0,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn graphiql_runs_a_query_in_a_real_browser_without_a_policy_violation() -> anyhow::Result<()>
{
    let Some(browser) = Browser::start().await? else {
        return Ok(());
    };
    let app = TestApp::new(Backend::Sqlite, 20).await?;
    let token = app.token(Role::Caseworker, None);
    let address = serve(app.router.clone()).await?;
    let client = &browser.client;
    client.goto(&format!("http://{address}/graphql")).await?;
    browser
        .wait_for(
            "return document.querySelectorAll('.graphiql-container .CodeMirror').length >= 3;",
            Duration::from_secs(20),
        )
        .await?;
    // The caller's token goes into the headers editor, the query into the query editor.
    let set_editors = format!(
        "const editors = [...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror);
         const headers = editors.find(e => e.getValue().includes('Bearer'));
         headers.setValue(JSON.stringify({{ Authorization: 'Bearer {token}' }}));
         editors[0].setValue('{{ caller {{ role purpose }} persons(first: 2) {{ totalCount }} }}');
         return true;"
    );
    client.execute(&set_editors, vec![]).await?;
    client
        .find(fantoccini::Locator::Css(".graphiql-execute-button"))
        .await?
        .click()
        .await?;
    let result = browser
        .wait_for_or_screenshot(
            "graphiql-failed",
            "const r = document.querySelector('.result-window .CodeMirror'); const t = r && r.CodeMirror.getValue(); return t && t.includes('totalCount') ? t : null;",
            Duration::from_secs(20),
        )
        .await?;
    let result: Value = serde_json::from_str(result.as_str().unwrap_or_default())?;
    assert_eq!(result["data"]["caller"]["role"], "CASEWORKER", "{result}");
    assert!(
        result["data"]["persons"]["totalCount"].as_i64() > Some(0),
        "{result}"
    );
    let shot = browser.screenshot("graphiql").await?;
    assert!(std::fs::metadata(&shot)?.len() > 10_000);
    // The settings dialog adds a <style> element: it carries the response's nonce.
    client
        .find(fantoccini::Locator::Css(
            ".graphiql-sidebar button[aria-label*='settings' i]",
        ))
        .await?
        .click()
        .await?;
    browser
        .wait_for(
            "return document.querySelector('[role=dialog]') !== null;",
            Duration::from_secs(10),
        )
        .await?;
    browser.screenshot("graphiql-settings").await?;
    // Nothing the page did broke its policy, and no token was kept in the browser.
    assert_eq!(browser.violations().await?, Vec::<String>::new());
    let stored = client
        .execute(
            "return JSON.stringify(Object.assign({}, localStorage));",
            vec![],
        )
        .await?;
    assert!(
        !stored.as_str().unwrap_or_default().contains(&token),
        "{stored}"
    );
    Ok(())
}
