//! Dates and times as their own scalars (ISO 8601), so clients parse them as such and
//! invalid ones are refused by the schema instead of by hand in each resolver.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, SecondsFormat, Utc};

/// A calendar date, ISO 8601 `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date, ISO 8601 `YYYY-MM-DD`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    InputValueError::custom(format!("{text:?} is not a date as YYYY-MM-DD"))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Date(date)
    }
}

/// A point in time, ISO 8601 (RFC 3339) in UTC, e.g. `2026-12-02T14:30:15Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// A point in time, ISO 8601 (RFC 3339), e.g. `2026-12-02T14:30:15Z`; given with an offset,
/// it is taken in UTC.
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => chrono::DateTime::parse_from_rfc3339(text)
                .map(|t| DateTime(t.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "{text:?} is not a time as RFC 3339, e.g. 2026-12-02T14:30:15Z"
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(time: chrono::DateTime<Utc>) -> Self {
        DateTime(time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_round_trip_and_bad_ones_are_refused() {
        let date = Date::parse(Value::from("2026-08-15")).ok();
        assert_eq!(date.map(|d| d.to_value()), Some(Value::from("2026-08-15")));
        assert!(Date::parse(Value::from("15.08.2026")).is_err());
        assert!(Date::parse(Value::from("2026-02-30")).is_err());
        let time = DateTime::parse(Value::from("2026-12-02T15:30:15+01:00")).ok();
        assert_eq!(
            time.map(|t| t.to_value()),
            Some(Value::from("2026-12-02T14:30:15Z"))
        );
        assert!(DateTime::parse(Value::from("yesterday")).is_err());
    }
}
