//! A record ↔ a row of its typed table. The record's serde form (the same JSON
//! a backup holds) is split: each [`Col`] takes the value at its path into a
//! typed column, what is left goes to `details` (jsonb). Reading joins them
//! back, so every field survives the round trip without a second list of
//! fields to keep in step with the model.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{Map, Value};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{Postgres, Row};

use crate::error::{AppError, AppResult};

#[derive(Clone, Copy)]
pub(super) enum Ty {
    Text,
    Bool,
    /// A u64 id or hash (bigint; a hash above i64::MAX is kept by its bits).
    Id,
    Int,
    /// A decimal the record keeps as a string („85.50“): `numeric`, scale kept.
    Numeric,
    /// An amount the record keeps as a string that may be empty (a draft
    /// record made by a repair): `numeric`, NULL for „“.
    Amount,
    Date,
    Time,
    Timestamp,
}

/// The `details` column as every select reads it: NULL when empty.
pub(super) const DETAILS: &str = "NULLIF(details, '{}'::jsonb) AS details";

pub(super) struct Col {
    /// The column.
    pub name: &'static str,
    /// Where the value sits in the record's JSON (`address/city`).
    pub path: &'static str,
    pub ty: Ty,
}

pub(super) const fn col(name: &'static str, path: &'static str, ty: Ty) -> Col {
    Col { name, path, ty }
}

pub(super) struct Table {
    pub name: &'static str,
    /// The first column is the id.
    pub cols: &'static [Col],
}

/// One typed value, ready to bind.
#[derive(Debug, Clone)]
pub(super) enum Val {
    Text(Option<String>),
    Bool(Option<bool>),
    Int8(Option<i64>),
    Int4(Option<i32>),
    Numeric(Option<Decimal>),
    Date(Option<NaiveDate>),
    Time(Option<NaiveTime>),
    Timestamp(Option<DateTime<Utc>>),
    Json(Value),
}

pub(super) fn bind(
    q: Query<'_, Postgres, PgArguments>,
    v: Val,
) -> Query<'_, Postgres, PgArguments> {
    match v {
        Val::Text(x) => q.bind(x),
        Val::Bool(x) => q.bind(x),
        Val::Int8(x) => q.bind(x),
        Val::Int4(x) => q.bind(x),
        Val::Numeric(x) => q.bind(x),
        Val::Date(x) => q.bind(x),
        Val::Time(x) => q.bind(x),
        Val::Timestamp(x) => q.bind(x),
        Val::Json(x) => q.bind(sqlx::types::Json(x)),
    }
}

fn bad(table: &str, col: &str, v: &Value) -> AppError {
    AppError::Storage(format!("{table}.{col}: unerwarteter Wert {v}"))
}

fn take(obj: &mut Map<String, Value>, path: &str) -> Value {
    match path.split_once('/') {
        None => obj.remove(path).unwrap_or(Value::Null),
        Some((head, rest)) => {
            let v = match obj.get_mut(head) {
                Some(Value::Object(inner)) => {
                    let v = take(inner, rest);
                    if inner.is_empty() {
                        obj.remove(head);
                    }
                    v
                }
                _ => Value::Null,
            };
            v
        }
    }
}

fn put(obj: &mut Map<String, Value>, path: &str, v: Value) {
    match path.split_once('/') {
        None => {
            obj.insert(path.to_string(), v);
        }
        Some((head, rest)) => {
            let inner = obj
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                put(inner, rest, v);
            }
        }
    }
}

fn typed(table: &str, c: &Col, v: Value) -> AppResult<Val> {
    let s = |v: &Value| v.as_str().map(str::to_string);
    Ok(match c.ty {
        Ty::Text => match v {
            Value::Null => Val::Text(None),
            Value::String(x) => Val::Text(Some(x)),
            other => return Err(bad(table, c.name, &other)),
        },
        Ty::Bool => Val::Bool(v.as_bool()),
        Ty::Id => match &v {
            Value::Null => Val::Int8(None),
            n => Val::Int8(Some(n.as_u64().ok_or_else(|| bad(table, c.name, n))? as i64)),
        },
        Ty::Int => match &v {
            Value::Null => Val::Int4(None),
            n => Val::Int4(Some(
                n.as_u64()
                    .and_then(|x| i32::try_from(x).ok())
                    .ok_or_else(|| bad(table, c.name, n))?,
            )),
        },
        Ty::Numeric => match &v {
            Value::Null => Val::Numeric(None),
            Value::String(x) => Val::Numeric(Some(
                x.parse::<Decimal>().map_err(|_| bad(table, c.name, &v))?,
            )),
            other => return Err(bad(table, c.name, other)),
        },
        Ty::Amount => match &v {
            Value::String(x) if x.is_empty() => Val::Numeric(None),
            Value::String(x) => Val::Numeric(Some(
                x.parse::<Decimal>().map_err(|_| bad(table, c.name, &v))?,
            )),
            other => return Err(bad(table, c.name, other)),
        },
        Ty::Date => match &v {
            Value::Null => Val::Date(None),
            other => Val::Date(Some(
                serde_json::from_value(other.clone()).map_err(|_| bad(table, c.name, other))?,
            )),
        },
        Ty::Time => match &v {
            Value::Null => Val::Time(None),
            other => Val::Time(Some(
                serde_json::from_value(other.clone()).map_err(|_| bad(table, c.name, other))?,
            )),
        },
        Ty::Timestamp => match &v {
            Value::Null => Val::Timestamp(None),
            other => Val::Timestamp(Some(
                s(other)
                    .and_then(|x| DateTime::parse_from_rfc3339(&x).ok())
                    .map(|d| d.with_timezone(&Utc))
                    .ok_or_else(|| bad(table, c.name, other))?,
            )),
        },
    })
}

impl Table {
    /// `INSERT … ON CONFLICT (id) DO UPDATE` of every column and `details`.
    pub fn upsert_sql(&self) -> String {
        let names: Vec<&str> = self.cols.iter().map(|c| c.name).collect();
        let params: Vec<String> = (1..=names.len() + 1).map(|i| format!("${i}")).collect();
        let updates: Vec<String> = names
            .iter()
            .skip(1)
            .chain(std::iter::once(&"details"))
            .map(|n| format!("{n} = EXCLUDED.{n}"))
            .collect();
        format!(
            "INSERT INTO {} ({}, details) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
            self.name,
            names.join(", "),
            params.join(", "),
            names[0],
            updates.join(", ")
        )
    }

    /// `INSERT` of `extra` columns (bound first), every column and `details`.
    pub fn insert_sql(&self, extra: &[&str]) -> String {
        let names: Vec<&str> = extra
            .iter()
            .copied()
            .chain(self.cols.iter().map(|c| c.name))
            .chain(std::iter::once("details"))
            .collect();
        let params: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.name,
            names.join(", "),
            params.join(", ")
        )
    }

    /// `SELECT` of every column and `details`, the row as `row` reads it
    /// (empty `details` come as NULL: nothing to decode).
    pub fn select_sql(&self) -> String {
        let names: Vec<&str> = self.cols.iter().map(|c| c.name).collect();
        format!("SELECT {}, {DETAILS} FROM {}", names.join(", "), self.name)
    }

    /// The record's values for `upsert_sql`, in its order.
    pub fn values<T: Serialize>(&self, record: &T) -> AppResult<Vec<Val>> {
        let Value::Object(mut obj) = serde_json::to_value(record)? else {
            return Err(AppError::Storage(format!("{}: kein Datensatz", self.name)));
        };
        let mut out = Vec::with_capacity(self.cols.len() + 1);
        for c in self.cols {
            out.push(typed(self.name, c, take(&mut obj, c.path))?);
        }
        out.push(Val::Json(Value::Object(obj)));
        Ok(out)
    }

    /// The record of a row of `select_sql`.
    pub fn record<T: DeserializeOwned>(&self, row: &PgRow) -> AppResult<T> {
        self.record_of(self.object(row)?)
    }

    /// A record from its JSON form.
    pub fn record_of<T: DeserializeOwned>(&self, obj: Map<String, Value>) -> AppResult<T> {
        serde_json::from_value(Value::Object(obj))
            .map_err(|e| AppError::Storage(format!("{}: {e}", self.name)))
    }

    /// The JSON form of a row of `select_sql` (columns first, then `details`).
    pub fn object(&self, row: &PgRow) -> AppResult<Map<String, Value>> {
        let mut obj: Map<String, Value> =
            match row.try_get::<Option<sqlx::types::Json<Value>>, _>(self.cols.len()) {
                Ok(Some(sqlx::types::Json(Value::Object(m)))) => m,
                Ok(_) => Map::new(),
                Err(e) => return Err(super::db_err(e)),
            };
        for (i, c) in self.cols.iter().enumerate() {
            let v: Option<Value> = match c.ty {
                Ty::Text => row
                    .try_get::<Option<String>, _>(i)
                    .map_err(super::db_err)?
                    .map(Value::String),
                Ty::Bool => row
                    .try_get::<Option<bool>, _>(i)
                    .map_err(super::db_err)?
                    .map(Value::Bool),
                Ty::Id => row
                    .try_get::<Option<i64>, _>(i)
                    .map_err(super::db_err)?
                    .map(|x| Value::from(x as u64)),
                Ty::Int => row
                    .try_get::<Option<i32>, _>(i)
                    .map_err(super::db_err)?
                    .map(Value::from),
                Ty::Numeric => row
                    .try_get::<Option<Decimal>, _>(i)
                    .map_err(super::db_err)?
                    .map(|d| Value::String(d.to_string())),
                Ty::Amount => Some(Value::String(
                    row.try_get::<Option<Decimal>, _>(i)
                        .map_err(super::db_err)?
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                )),
                Ty::Date => row
                    .try_get::<Option<NaiveDate>, _>(i)
                    .map_err(super::db_err)?
                    .map(|d| serde_json::to_value(d).unwrap_or(Value::Null)),
                Ty::Time => row
                    .try_get::<Option<NaiveTime>, _>(i)
                    .map_err(super::db_err)?
                    .map(|t| serde_json::to_value(t).unwrap_or(Value::Null)),
                Ty::Timestamp => row
                    .try_get::<Option<DateTime<Utc>>, _>(i)
                    .map_err(super::db_err)?
                    .map(|t| serde_json::to_value(t).unwrap_or(Value::Null)),
            };
            // A NULL column was a null (or absent) field: absent reads the same.
            if let Some(v) = v {
                put(&mut obj, c.path, v);
            }
        }
        Ok(obj)
    }
}
