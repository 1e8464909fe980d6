//! A small builder for queries whose shape depends on input (filters, sorting): it
//! writes `$1…$N` placeholders, which both SQLite and PostgreSQL accept, and keeps the
//! bound values beside the text so the two can never drift apart.

use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments};

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    /// NULL for a text column.
    Null,
    /// NULL for an integer column. PostgreSQL types every parameter, and a NULL typed
    /// as text cannot be assigned to a BIGINT column.
    NullInt,
}

#[derive(Debug, Default, Clone)]
pub struct SqlBuilder {
    sql: String,
    values: Vec<Value>,
}

impl SqlBuilder {
    pub fn new(start: &str) -> Self {
        Self { sql: start.to_owned(), values: Vec::new() }
    }

    /// Appends trusted SQL text (never user input).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.values.push(value);
        self.sql.push('$');
        self.sql.push_str(&self.values.len().to_string());
        self
    }

    pub fn bind_text(&mut self, value: impl Into<String>) -> &mut Self {
        self.bind(Value::Text(value.into()))
    }

    pub fn bind_int(&mut self, value: i64) -> &mut Self {
        self.bind(Value::Int(value))
    }

    /// The same query with `select` written in front (count and page queries share
    /// one condition this way).
    #[must_use]
    pub fn with_prefix(mut self, select: &str) -> Self {
        self.sql.insert_str(0, select);
        self
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The query for the database behind `conn`. SQLite looks up each numbered
    /// parameter by walking the statement's list of names, so a statement with
    /// thousands of `$n` parameters costs the square of that; anonymous `?`
    /// parameters, bound in order, cost nothing extra. The builder writes placeholders
    /// in increasing order, each once, so the rewrite is exact. (Bulk statements use
    /// this; PostgreSQL keeps `$n`.)
    pub fn build_on(&self, conn: &crate::Conn) -> sqlx::query::Query<'static, Any, AnyArguments> {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            let mut sql = String::with_capacity(self.sql.len());
            let mut chars = self.sql.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                    sql.push('?');
                } else {
                    sql.push(c);
                }
            }
            return sqlx::query_with(sqlx::AssertSqlSafe(sql), self.arguments());
        }
        self.build()
    }

    fn arguments(&self) -> AnyArguments {
        let mut arguments = AnyArguments::default();
        for value in &self.values {
            // Adding a value to AnyArguments only fails for types Any cannot carry;
            // text, integers and NULL are always accepted.
            let added = match value {
                Value::Text(text) => arguments.add(text.clone()),
                Value::Int(number) => arguments.add(*number),
                Value::Null => arguments.add(Option::<String>::None),
                Value::NullInt => arguments.add(Option::<i64>::None),
            };
            debug_assert!(added.is_ok());
        }
        arguments
    }

    /// The query, ready to run.
    pub fn build(&self) -> sqlx::query::Query<'static, Any, AnyArguments> {
        sqlx::query_with(sqlx::AssertSqlSafe(self.sql.clone()), self.arguments())
    }
}

/// Escapes `%`, `_` and `\` for use in `LIKE … ESCAPE '\'`.
pub fn like_pattern(needle: &str) -> String {
    let mut pattern = String::from("%");
    for character in needle.chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_placeholders() {
        let mut builder = SqlBuilder::new("SELECT * FROM t WHERE a = ");
        builder.bind_int(1).push(" AND b LIKE ").bind_text(like_pattern("5%_x"));
        assert_eq!(builder.sql(), "SELECT * FROM t WHERE a = $1 AND b LIKE $2");
        assert_eq!(builder.values[1], Value::Text("%5\\%\\_x%".into()));
    }
}
