//! `vigo extract`: a recipient file, as the recipient's token may receive it, with its
//! disclosure recorded before the file appears at its destination.

use std::path::Path;

use sea_orm::DatabaseConnection;
use vigo_analytics::{Format, RecipientExtract, legal_basis};
use vigo_policy::{Gate, Subject};

use crate::audit;
use crate::denials::{self, DenialKind};
use crate::error::ApiError;
use crate::output::Destination;

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
    let destination = Destination::check(out, false)?;
    run_to(db, gate, subject, name, format, &destination).await
}

/// [`run`] to a destination checked beforehand (by the command line, before it connects).
pub async fn run_to(
    db: &DatabaseConnection,
    gate: &Gate,
    subject: &Subject,
    name: &str,
    format: Format,
    destination: &Destination,
) -> anyhow::Result<Written> {
    let out = destination.path();
    let prepared = prepare(db, gate, subject, name, format).await?;
    let written = destination
        .stage()
        .and_then(|mut f| Ok(std::io::Write::write_all(&mut f, &prepared.bytes)?));
    if let Err(e) = written {
        destination.discard();
        return Err(e.context(format!("cannot write {}", out.display())));
    }
    // The destination was checked before anything was read, and the file is staged beside
    // it, so putting it in place after the record can fail only to a race.
    let written = match prepared.record(db).await {
        Ok(written) => written,
        Err(e) => {
            destination.discard();
            return Err(e);
        }
    };
    if let Err(e) = destination.deliver() {
        destination.discard();
        return Err(e.context(format!(
            "disclosure {} is recorded but its file was not delivered; nothing is left behind",
            written.disclosure
        )));
    }
    Ok(written)
}

/// A recipient file built and written in its format, with its disclosure ready to record:
/// the caller records it ([`Prepared::record`]) before the bytes leave (as a file put in
/// place, or an HTTP response).
pub struct Prepared {
    pub bytes: Vec<u8>,
    disclosure: audit::Disclosure,
    event: audit::Event,
    rows: usize,
    persons: usize,
    columns: Vec<String>,
    withheld: Vec<&'static str>,
}

impl Prepared {
    /// Records the disclosure with its audit event, in one transaction.
    pub async fn record(&self, db: &DatabaseConnection) -> anyhow::Result<Written> {
        let id = audit::record_disclosure(db, &self.disclosure, self.event.clone())
            .await
            .map_err(|e| {
                anyhow::Error::from(e)
                    .context("the disclosure could not be recorded; no file written")
            })?;
        Ok(Written {
            disclosure: id,
            rows: self.rows,
            persons: self.persons,
            columns: self.columns.clone(),
            withheld: self.withheld.clone(),
        })
    }
}

/// Builds recipient extract `name` for `subject` and writes it in `format`, in memory. A
/// refusal is recorded as a denial.
pub async fn prepare(
    db: &DatabaseConnection,
    gate: &Gate,
    subject: &Subject,
    name: &str,
    format: Format,
) -> anyhow::Result<Prepared> {
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
    let mut bytes = Vec::new();
    vigo_analytics::write(&mut file.frame, format, &mut bytes)?;
    let recipient = match &subject.org {
        Some(org) => format!("{} {}", subject.role, org.as_str()),
        None => subject.role.to_string(),
    };
    Ok(Prepared {
        bytes,
        disclosure: audit::Disclosure {
            recipient,
            legal_basis: legal_basis(subject.purpose).to_owned(),
            extract: extract.name.to_owned(),
            row_count: file.frame.height(),
        },
        event: audit::Event::new(
            audit::actor(subject),
            &format!("Extract.{}", extract.name),
            &request_id,
            &file.categories,
            &file.persons,
        ),
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

/// A recording failure as the command line reports it.
fn internal(e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Internal(source) => source,
        other => anyhow::anyhow!("{other}"),
    }
}
