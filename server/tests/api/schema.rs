//! `server/src/db/schema.rs` is what `diesel print-schema` would write for the migrated
//! database: this test reads the database's catalogue (tables, columns in order, types,
//! nullability, primary keys, foreign keys), prints it in print-schema's form and compares
//! the text, so a migration that forgets to update `schema.rs` (or an edit by hand) fails.

use diesel::{QueryableByName, sql_types::Text};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};

use crate::support::TestDatabase;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
    #[diesel(sql_type = Text)]
    primary_key: String,
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    child: String,
    #[diesel(sql_type = Text)]
    parent: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

const COLUMNS: &str = "
    SELECT c.table_name::text, c.column_name::text, c.udt_name::text, c.is_nullable::text,
           COALESCE((SELECT string_agg(k.column_name, ', ' ORDER BY k.ordinal_position)
                     FROM information_schema.table_constraints t
                     JOIN information_schema.key_column_usage k
                       ON k.constraint_name = t.constraint_name AND k.table_name = t.table_name
                     WHERE t.table_name = c.table_name AND t.constraint_type = 'PRIMARY KEY'),
                    '')::text AS primary_key
    FROM information_schema.columns c
    JOIN information_schema.tables t
      ON t.table_name = c.table_name AND t.table_schema = c.table_schema
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      AND c.table_name NOT LIKE '\\_\\_diesel%'
    ORDER BY c.table_name, c.ordinal_position";

const FOREIGN_KEYS: &str = "
    SELECT cl.relname::text AS child, parent.relname::text AS parent,
           a.attname::text AS column_name
    FROM pg_constraint con
    JOIN pg_class cl ON cl.oid = con.conrelid
    JOIN pg_class parent ON parent.oid = con.confrelid
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
    WHERE con.contype = 'f' AND cl.relnamespace = 'public'::regnamespace
    ORDER BY child, parent";

/// Diesel's name for a PostgreSQL type, as print-schema writes it.
fn diesel_type(udt_name: &str) -> String {
    match udt_name {
        "uuid" => "Uuid",
        "text" => "Text",
        "varchar" => "Varchar",
        "bytea" => "Bytea",
        "bool" => "Bool",
        "int2" => "Int2",
        "int4" => "Int4",
        "int8" => "Int8",
        "jsonb" => "Jsonb",
        "json" => "Json",
        "inet" => "Inet",
        "timestamptz" => "Timestamptz",
        "timestamp" => "Timestamp",
        "date" => "Date",
        other => panic!("schema check: add PostgreSQL type {other} to diesel_type()"),
    }
    .to_owned()
}

fn print_schema(columns: &[Column], foreign_keys: &[ForeignKey]) -> String {
    let mut out = String::from("// @generated automatically by Diesel CLI.\n");
    let mut tables: Vec<&str> = Vec::new();
    for column in columns {
        if tables.last() != Some(&column.table_name.as_str()) {
            if !tables.is_empty() {
                out.push_str("    }\n}\n");
            }
            tables.push(&column.table_name);
            out.push_str(&format!(
                "\ndiesel::table! {{\n    {} ({}) {{\n",
                column.table_name, column.primary_key
            ));
        }
        let sql_type = diesel_type(&column.udt_name);
        let sql_type = if column.is_nullable == "YES" {
            format!("Nullable<{sql_type}>")
        } else {
            sql_type
        };
        out.push_str(&format!("        {} -> {sql_type},\n", column.column_name));
    }
    out.push_str("    }\n}\n\n");
    for key in foreign_keys {
        out.push_str(&format!(
            "diesel::joinable!({} -> {} ({}));\n",
            key.child, key.parent, key.column_name
        ));
    }
    out.push_str("\ndiesel::allow_tables_to_appear_in_same_query!(\n");
    for table in tables {
        out.push_str(&format!("    {table},\n"));
    }
    out.push_str(");\n");
    out
}

#[tokio::test]
async fn schema_rs_matches_the_migrated_database() {
    let db = TestDatabase::new().await;
    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    let columns: Vec<Column> = diesel::sql_query(COLUMNS).load(&mut conn).await.unwrap();
    let foreign_keys: Vec<ForeignKey> = diesel::sql_query(FOREIGN_KEYS)
        .load(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let expected = print_schema(&columns, &foreign_keys);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db/schema.rs");
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        committed == expected,
        "server/src/db/schema.rs does not match the migrated database; it should read:\n{expected}"
    );
}
