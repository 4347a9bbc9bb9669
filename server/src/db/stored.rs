//! `Stored<T>`: a wire enum from `hallpass-shared` kept in a `text` column under its
//! `snake_case` name. Storage and wire types stay apart (the shared crate knows nothing
//! of Diesel) while the names stay one spelling.

use std::{fmt::Display, io::Write as _, str::FromStr};

use diesel::{
    deserialize::{self, FromSql, FromSqlRow},
    expression::AsExpression,
    pg::{Pg, PgValue},
    serialize::{self, IsNull, Output, ToSql},
    sql_types::Text,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow, AsExpression)]
#[diesel(sql_type = Text)]
pub struct Stored<T>(pub T);

impl<T> FromSql<Text, Pg> for Stored<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let name = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
        Ok(Self(name.parse()?))
    }
}

impl<T> ToSql<Text, Pg> for Stored<T>
where
    T: Display + std::fmt::Debug,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        write!(out, "{}", self.0)?;
        Ok(IsNull::No)
    }
}
