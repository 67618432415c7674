//! Recipient files read back as what was written: typed Parquet, plain CSV.

use std::io::Cursor;

use polars::prelude::{
    Column, DataFrame, DataType, IntoColumn, NamedFrom, ParquetReader, SerReader, Series,
};
use vigo_analytics::{Format, write};

fn frame() -> DataFrame {
    let days = Series::new("issued_on".into(), [Some(20_600), None])
        .cast(&DataType::Date)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_column();
    DataFrame::new(
        2,
        vec![
            Column::new("national_id".into(), ["01817049963", "24882049805"]),
            Column::new("school_year".into(), [2026, 2025]),
            days,
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn parquet_keeps_columns_types_and_values() {
    let mut written = frame();
    let mut bytes = Vec::new();
    write(&mut written, Format::Parquet, &mut bytes).unwrap_or_else(|e| panic!("{e}"));
    let read = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.schema(), written.schema());
    assert!(read.equals_missing(&written));
}

#[test]
fn csv_has_a_header_and_iso_dates() {
    let mut written = frame();
    let mut bytes = Vec::new();
    write(&mut written, Format::Csv, &mut bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        "national_id,school_year,issued_on\n01817049963,2026,2026-05-27\n24882049805,2025,\n"
    );
}

#[test]
fn json_stat_is_refused_for_person_level_files() {
    let mut written = frame();
    let mut bytes = Vec::new();
    let refused = write(&mut written, Format::JsonStat, &mut bytes)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("statistics tables"), "{refused}");
    assert!(bytes.is_empty());
}
