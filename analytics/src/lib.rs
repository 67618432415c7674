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

/// Why an extract could not be produced. Messages name what was wrong and what would work.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("unknown extract '{0}'; recipient extracts: {list}", list = recipient::names())]
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
