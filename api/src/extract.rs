//! `vigo extract`: a recipient file, as the recipient's token may receive it, with its
//! disclosure recorded before the file appears at its destination.

use std::path::{Path, PathBuf};

use sea_orm::DatabaseConnection;
use vigo_analytics::{Format, RecipientExtract, legal_basis};
use vigo_policy::{Gate, Subject};

use crate::audit;
use crate::denials::{self, DenialKind};
use crate::error::ApiError;

/// What an extract wrote.
#[derive(Debug)]
pub struct Written {
    pub disclosure: i32,
    pub rows: usize,
    pub persons: usize,
    pub columns: Vec<String>,
    /// Columns the recipient may not read, left out of the file.
    pub withheld: Vec<&'static str>,
}

/// Builds extract `name` for `subject`, records the disclosure (recipient, legal basis,
/// purpose, rows, every person included) with its audit event, and only then moves the
/// finished file to `out`. A refusal is recorded as a denial; if the disclosure cannot be
/// recorded, no file is left behind.
pub async fn run(
    db: &DatabaseConnection,
    gate: &Gate,
    subject: &Subject,
    name: &str,
    format: Format,
    out: &Path,
) -> anyhow::Result<Written> {
    let extract = RecipientExtract::named(name)?;
    if format == Format::JsonStat {
        return Err(vigo_analytics::ExtractError::FormatNotForRecipientFiles("jsonstat").into());
    }
    let access = gate.access(subject)?;
    let request_id = format!("extract-{}", uuid::Uuid::new_v4());
    let mut file = match extract.build(db, subject, &access).await {
        Ok(file) => file,
        Err(refusal @ vigo_analytics::ExtractError::Denied { .. }) => {
            denials::record(
                db,
                subject,
                &request_id,
                access.version,
                DenialKind::Operation,
                &[format!("Extract.{name}")],
            )
            .await
            .map_err(internal)?;
            return Err(refusal.into());
        }
        Err(e) => return Err(e.into()),
    };
    let partial = partial_path(out);
    let written = create_private(&partial)
        .map_err(|e| anyhow::anyhow!("{}: {e}", partial.display()))
        .and_then(|mut f| Ok(vigo_analytics::write(&mut file.frame, format, &mut f)?));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e.context(format!("cannot write {}", out.display())));
    }
    let recipient = match &subject.org {
        Some(org) => format!("{} {}", subject.role, org.as_str()),
        None => subject.role.to_string(),
    };
    let disclosure = audit::Disclosure {
        recipient,
        legal_basis: legal_basis(subject.purpose).to_owned(),
        extract: extract.name.to_owned(),
        row_count: file.frame.height(),
    };
    let event = audit::Event::new(
        audit::actor(subject),
        &format!("Extract.{}", extract.name),
        &request_id,
        &file.categories,
        &file.persons,
    );
    let id = match audit::record_disclosure(db, &disclosure, event).await {
        Ok(id) => id,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(anyhow::Error::from(e)
                .context("the disclosure could not be recorded; no file written"));
        }
    };
    std::fs::rename(&partial, out).map_err(|e| {
        anyhow::anyhow!(
            "disclosure {id} is recorded but {} could not be moved to {}: {e}",
            partial.display(),
            out.display()
        )
    })?;
    Ok(Written {
        disclosure: id,
        rows: file.frame.height(),
        persons: file.persons.len(),
        columns: file
            .frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect(),
        withheld: file.withheld,
    })
}

/// Where the file is written before its disclosure is recorded: beside the destination, so
/// the final rename does not cross file systems, and hidden, so that a job collecting the
/// destination's directory does not pick it up early.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(out.file_name().unwrap_or_default());
    name.push(".partial");
    out.with_file_name(name)
}

/// A new file only the owner can read; never an existing file or a link planted in its place.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn internal(e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Internal(source) => source,
        other => anyhow::anyhow!("{other}"),
    }
}
