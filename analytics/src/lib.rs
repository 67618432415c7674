//! Extracts: data leaving Vigo as files. A recipient file holds person-level rows for one
//! recipient, reduced to the rows the recipient's row scope reaches (in the database query)
//! and the columns its field mask allows (column projection), the same decisions the GraphQL
//! API applies. Recording the disclosure is the caller's job: it must happen before the
//! file is handed over.

mod recipient;
pub mod statistics;
mod write;

pub use recipient::{ColumnDef, RECIPIENT_EXTRACTS, RecipientExtract, RecipientFile, legal_basis};
pub use write::{Format, write};

/// An extract by name: a statistic of the catalogue or a recipient file.
#[derive(Clone, Copy, Debug)]
pub enum Extract {
    Statistic(&'static statistics::Statistic),
    Recipient(&'static RecipientExtract),
}

impl Extract {
    /// The extract called `name`, or an error listing every one there is.
    pub fn named(name: &str) -> Result<Extract, ExtractError> {
        match statistics::Statistic::named(name) {
            Some(statistic) => Ok(Extract::Statistic(statistic)),
            None => RecipientExtract::named(name).map(Extract::Recipient),
        }
    }
}

/// Why an extract could not be produced. Messages name what was wrong and what would work.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error(
        "unknown extract '{0}'; statistics: {statistics}; recipient files: {recipient}",
        statistics = statistics::catalogue::names(),
        recipient = recipient::names()
    )]
    Unknown(String),
    #[error("unknown format '{0}'; valid formats: csv, parquet, jsonstat")]
    UnknownFormat(String),
    #[error("format '{0}' is for statistics tables; a recipient file is written as csv or parquet")]
    FormatNotForRecipientFiles(&'static str),
    #[error("{role} may not receive the '{extract}' extract: {reason}")]
    Denied {
        role: &'static str,
        extract: &'static str,
        reason: String,
    },
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    #[error("building the extract: {0}")]
    Frame(#[from] polars::error::PolarsError),
    #[error("writing {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}
