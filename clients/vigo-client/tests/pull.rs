//! `vigo-client` against a real Vigo server on a port: the catalogue, a table in each
//! format, and the messages for a refused token, a refused role and an unknown extract, with
//! no file left behind when a pull fails.

use std::path::PathBuf;
use std::process::{Command, Output};

use vigo_policy::Role;
use vigo_tests::{Backend, TestApp};

fn client(server: &str, token: &str, args: &[&str], dir: &PathBuf) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigo-client"))
        .args(args)
        .env("VIGO_SERVER", server)
        .env("VIGO_TOKEN", token)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run vigo-client: {e}"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statistician_pulls_tables_and_is_told_what_went_wrong() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 300).await?;
    let address = vigo_tests::browser::serve(app.router.clone()).await?;
    let server = format!("http://{address}");
    let dir = std::env::temp_dir().join(format!("vigo-client-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let ssb = app.token(Role::Ssb, None);
    let (server2, ssb2, dir2) = (server.clone(), ssb.clone(), dir.clone());
    let run = move |token: &str, args: &[&str]| client(&server2, token, args, &dir2);

    let listed = tokio::task::spawn_blocking({
        let run = run.clone();
        let ssb = ssb2.clone();
        move || run(&ssb, &["list"])
    })
    .await?;
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(String::from_utf8_lossy(&listed.stdout).contains("pupils-by-school"));

    for format in ["csv", "parquet", "jsonstat"] {
        let out = format!("grades.{format}");
        let pulled = tokio::task::spawn_blocking({
            let run = run.clone();
            let ssb = ssb2.clone();
            move || {
                run(
                    &ssb,
                    &[
                        "extract",
                        "grades-by-subject",
                        "--format",
                        format,
                        "--out",
                        &out,
                    ],
                )
            }
        })
        .await?;
        assert!(pulled.status.success(), "{format}: {}", stderr(&pulled));
        assert!(std::fs::metadata(dir.join(format!("grades.{format}")))?.len() > 0);
    }
    let dataset: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("grades.jsonstat"))?)?;
    vigo_tests::attacker::attack(&dataset);

    let school = app.token(Role::School, None);
    let cases = [
        (
            "not-a-token".to_owned(),
            "trade-tests",
            "did not accept your token",
        ),
        (school, "trade-tests", "not allowed"),
        (
            ssb.clone(),
            "no-such-table",
            "unknown extract 'no-such-table'",
        ),
    ];
    for (token, name, says) in cases {
        let failed = tokio::task::spawn_blocking({
            let run = run.clone();
            move || run(&token, &["extract", name, "--out", "failed.csv"])
        })
        .await?;
        assert!(!failed.status.success());
        let message = stderr(&failed);
        assert!(message.contains(says), "{name}: {message}");
        let left: Vec<_> = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("failed.csv"))
            .collect();
        assert!(left.is_empty(), "{name}: {left:?} left behind");
    }
    let _ = std::fs::remove_dir_all(&dir);
    drop(server);
    Ok(())
}
