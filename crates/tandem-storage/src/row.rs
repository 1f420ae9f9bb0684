//! Values moving between the shared repository and a backend.

use crate::error::SqlError;
use jiff::Timestamp;
use jiff::civil::Date;
use std::sync::Arc;

/// A value bound to a placeholder. Every variant carries its type even when
/// it is NULL, because PostgreSQL needs to know the type of a NULL parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Date(Option<Date>),
    Timestamp(Option<Timestamp>),
}

macro_rules! param_from {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl From<$ty> for Param {
            fn from(value: $ty) -> Self { Param::$variant(Some(value.into())) }
        }
        impl From<Option<$ty>> for Param {
            fn from(value: Option<$ty>) -> Self { Param::$variant(value.map(Into::into)) }
        }
    )*};
}

param_from!(
    i64 => Int,
    f64 => Float,
    String => Text,
    &str => Text,
    bool => Bool,
    Date => Date,
    Timestamp => Timestamp,
);

impl From<&String> for Param {
    fn from(value: &String) -> Self {
        Param::Text(Some(value.clone()))
    }
}

/// A value read from a row. SQLite has no date type, so dates come back from
/// it as text; [`Row`]'s typed getters accept either form.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    Date(Date),
    Timestamp(Timestamp),
}

/// One row of a result, with typed getters by column name.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    pub fn new(columns: Arc<[String]>, values: Vec<Value>) -> Self {
        Self { columns, values }
    }

    fn value(&self, column: &str) -> Result<&Value, SqlError> {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| SqlError::decode(format!("no column {column} in the result")))
    }

    fn required<T>(column: &str, value: Option<T>) -> Result<T, SqlError> {
        value.ok_or_else(|| SqlError::decode(format!("column {column} is unexpectedly NULL")))
    }

    fn mismatch(column: &str, wanted: &str, got: &Value) -> SqlError {
        SqlError::decode(format!("column {column}: expected {wanted}, found {got:?}"))
    }

    pub fn opt_i64(&self, column: &str) -> Result<Option<i64>, SqlError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            Value::Bool(b) => Ok(Some(i64::from(*b))),
            other => Err(Self::mismatch(column, "an integer", other)),
        }
    }

    pub fn i64(&self, column: &str) -> Result<i64, SqlError> {
        Self::required(column, self.opt_i64(column)?)
    }

    pub fn opt_f64(&self, column: &str) -> Result<Option<f64>, SqlError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Float(v) => Ok(Some(*v)),
            // Integer-valued aggregates come back as integers on SQLite.
            Value::Int(v) => Ok(Some(*v as f64)),
            other => Err(Self::mismatch(column, "a number", other)),
        }
    }

    pub fn f64(&self, column: &str) -> Result<f64, SqlError> {
        Self::required(column, self.opt_f64(column)?)
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<String>, SqlError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.clone())),
            other => Err(Self::mismatch(column, "text", other)),
        }
    }

    pub fn text(&self, column: &str) -> Result<String, SqlError> {
        Self::required(column, self.opt_text(column)?)
    }

    pub fn opt_bool(&self, column: &str) -> Result<Option<bool>, SqlError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Bool(v) => Ok(Some(*v)),
            Value::Int(0) => Ok(Some(false)),
            Value::Int(1) => Ok(Some(true)),
            other => Err(Self::mismatch(column, "a boolean", other)),
        }
    }

    pub fn bool(&self, column: &str) -> Result<bool, SqlError> {
        Self::required(column, self.opt_bool(column)?)
    }

    pub fn opt_date(&self, column: &str) -> Result<Option<Date>, SqlError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Date(v) => Ok(Some(*v)),
            Value::Text(v) => v
                .parse()
                .map(Some)
                .map_err(|e| SqlError::decode(format!("column {column}: not a date: {e}"))),
            other => Err(Self::mismatch(column, "a date", other)),
        }
    }

    pub fn date(&self, column: &str) -> Result<Date, SqlError> {
        Self::required(column, self.opt_date(column)?)
    }

    pub fn opt_timestamp(&self, column: &str) -> Result<Option<Timestamp>, SqlError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Timestamp(v) => Ok(Some(*v)),
            Value::Text(v) => v
                .parse()
                .map(Some)
                .map_err(|e| SqlError::decode(format!("column {column}: not a timestamp: {e}"))),
            other => Err(Self::mismatch(column, "a timestamp", other)),
        }
    }

    pub fn timestamp(&self, column: &str) -> Result<Timestamp, SqlError> {
        Self::required(column, self.opt_timestamp(column)?)
    }
}

/// The text form SQLite stores a timestamp in: fixed width, so text order is time order.
pub fn timestamp_text(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
