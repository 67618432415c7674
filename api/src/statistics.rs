//! Statistics pulled through the gate: the `statistics` resource decides who may have them
//! (nothing is computed for anyone else), and every pull is recorded in the audit trail with
//! the extract, format, selection and cell count. No person is linked: a suppressed table
//! holds none.

use sea_orm::DatabaseConnection;
use vigo_analytics::statistics::{About, Dataset, Selection, Statistic, write_table};
use vigo_analytics::{ExtractError, Format};
use vigo_policy::{Gate, Subject};

use crate::audit;
use crate::denials::{self, DenialKind};
use crate::error::ApiError;

/// A pulled table, written in its format, and recorded.
#[derive(Debug)]
pub struct Pulled {
    pub bytes: Vec<u8>,
    pub dataset: Dataset,
    pub about: About,
    pub format: Format,
}

impl Pulled {
    /// The file's content type.
    pub fn content_type(&self) -> &'static str {
        content_type(self.format)
    }

    /// The file's name, e.g. `pupils-by-school.csv`.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.about.name, extension(self.format))
    }
}

/// The content type of a file in `format`.
pub fn content_type(format: Format) -> &'static str {
    match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Parquet => "application/vnd.apache.parquet",
        Format::JsonStat => "application/json; charset=utf-8",
    }
}

/// The file name extension of `format`.
pub fn extension(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Parquet => "parquet",
        Format::JsonStat => "json",
    }
}

/// Computes statistic `name` for `subject` as of `today`, keeps the selected categories,
/// writes it in `format` and records the pull; refused (and the refusal recorded) before
/// anything is computed when the subject may not read statistics.
pub async fn pull(
    db: &DatabaseConnection,
    gate: &Gate,
    subject: &Subject,
    name: &str,
    format: Format,
    selections: &[Selection],
    request_id: &str,
) -> Result<Pulled, ApiError> {
    let access = gate
        .access(subject)
        .map_err(|e| ApiError::Forbidden(e.to_string()))?;
    let statistic = Statistic::named(name);
    let refusal = if access.grant.statistics.is_empty() {
        Some(format!(
            "{}; statistics are for ssb, udir and the county's caseworkers",
            vigo_policy::PolicyError::Denied {
                role: subject.role,
                action: "read statistics",
            }
        ))
    } else if statistic.is_some() {
        gate.may_pull(subject, name).err().map(|e| e.to_string())
    } else {
        None
    };
    if let Some(refusal) = refusal {
        denials::record(
            db,
            subject,
            request_id,
            access.version,
            DenialKind::Operation,
            &[format!("Statistics.{name}")],
        )
        .await?;
        return Err(ApiError::Forbidden(refusal));
    }
    let statistic = statistic.ok_or_else(|| {
        ApiError::bad_input(
            "extract",
            format!(
                "unknown statistic '{name}'; statistics: {}",
                vigo_analytics::statistics::catalogue::names()
            ),
        )
    })?;
    let today = vigo_policy::Today::now().date;
    let computed = statistic.compute(db, today).await.map_err(internal)?;
    let dataset = computed
        .publish(selections)
        .map_err(|e| ApiError::bad_input("filter", e))?;
    let about = computed.about;
    let mut bytes = Vec::new();
    write_table(&dataset, &about, format, &mut bytes).map_err(internal)?;
    let selection = selections
        .iter()
        .map(|s| format!("{}={}", s.dimension, s.categories.join("|")))
        .collect::<Vec<_>>()
        .join(";");
    let withheld = dataset.withheld();
    let operation = format!(
        "Statistics.{name} format={format} cells={} withheld={withheld}{}",
        dataset.values.len(),
        if selection.is_empty() {
            String::new()
        } else {
            format!(" filter={selection}")
        }
    );
    let event = audit::Event::new(audit::actor(subject), &operation, request_id, &[], &[]);
    audit::record(db, &[event]).await.map_err(|e| {
        tracing::error!(error = %e, "a statistics pull could not be recorded");
        ApiError::Unrecorded("the pull could not be recorded in the audit trail; no data returned")
    })?;
    Ok(Pulled {
        bytes,
        dataset,
        about,
        format,
    })
}

fn internal(e: ExtractError) -> ApiError {
    ApiError::Internal(e.into())
}
