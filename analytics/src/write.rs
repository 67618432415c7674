//! File formats extracts are written in.

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use polars::prelude::{CsvWriter, DataFrame, ParquetWriter, SerWriter};

use crate::ExtractError;

/// An extract's file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// UTF-8, comma-separated, with a header row.
    Csv,
    /// Apache Parquet, typed columns (dates as DATE), zstd-compressed.
    Parquet,
    /// JSON-stat 2.0, for statistics tables.
    JsonStat,
}

impl FromStr for Format {
    type Err = ExtractError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            "jsonstat" => Ok(Format::JsonStat),
            other => Err(ExtractError::UnknownFormat(other.to_owned())),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::JsonStat => "jsonstat",
        })
    }
}

/// Writes a recipient file's frame in `format`.
pub fn write(
    frame: &mut DataFrame,
    format: Format,
    out: &mut impl Write,
) -> Result<(), ExtractError> {
    match format {
        Format::Csv => CsvWriter::new(out).include_header(true).finish(frame)?,
        Format::Parquet => {
            ParquetWriter::new(out).finish(frame)?;
        }
        Format::JsonStat => return Err(ExtractError::FormatNotForRecipientFiles("jsonstat")),
    }
    Ok(())
}
