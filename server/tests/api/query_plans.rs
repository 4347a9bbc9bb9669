//! Every query a request runs on the tables that grow with a district (`users`,
//! `user_sessions`, `session_events`) can be served by an index: over a few thousand
//! seeded rows, analysed, `EXPLAIN` of each (the server's own query builders, with the
//! binds a request would give) shows no sequential scan of those tables.

use chrono::{Duration, Utc};
use diesel::{
    pg::Pg,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    sql_types::Json,
};
use diesel_async::RunQueryDsl as _;
use hallpass_core::model::{EventCursor, EventFilter, SortKey, UserCursor, UserFilter};
use hallpass_server::{
    config::CacheBackend,
    db::{events, sessions::SessionRow, users::UserRow},
};
use hallpass_shared::{EventKind, Role, UserId, UserSort};
use serde_json::Value;

use crate::support::{TestApp, spawn_app};

/// `EXPLAIN (FORMAT JSON)` in front of any query, with the query's own binds.
struct Explain<Q>(Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> diesel::QueryResult<()> {
        pass.push_sql("EXPLAIN (FORMAT JSON) ");
        self.0.walk_ast(pass.reborrow())
    }
}

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<Pg>> Query for Explain<Q> {
    type SqlType = Json;
}

const GROWING: [&str; 3] = ["users", "user_sessions", "session_events"];

/// Every node of `plan`, itself included.
fn nodes(plan: &Value) -> Vec<&Value> {
    let mut found = vec![plan];
    for child in plan["Plans"].as_array().into_iter().flatten() {
        found.extend(nodes(child));
    }
    found
}

/// The growing tables `plan` scans sequentially.
fn sequential_scans(plan: &Value) -> Vec<&str> {
    nodes(plan)
        .into_iter()
        .filter(|node| node["Node Type"] == "Seq Scan")
        .filter_map(|node| node["Relation Name"].as_str())
        .filter(|table| GROWING.contains(table))
        .collect()
}

/// The plan of `query`. At a few thousand rows a sequential scan is often the cheaper
/// plan, so the planner is told to avoid one wherever an index can do: a sequential scan
/// left in the plan means no index can.
async fn plan_of<Q: QueryFragment<Pg> + Send>(app: &TestApp, query: Q) -> Value {
    let mut conn = app.state.domain.store.pool().get().await.unwrap();
    diesel::sql_query("SET enable_seqscan = off")
        .execute(&mut conn)
        .await
        .unwrap();
    let plan: Value = Explain(query).get_result(&mut conn).await.unwrap();
    diesel::sql_query("RESET enable_seqscan")
        .execute(&mut conn)
        .await
        .unwrap();
    plan[0]["Plan"].clone()
}

/// Fails unless an index can serve `query`.
async fn assert_indexed<Q: QueryFragment<Pg> + Send>(app: &TestApp, name: &str, query: Q) {
    let plan = plan_of(app, query).await;
    let scans = sequential_scans(&plan);
    assert!(
        scans.is_empty(),
        "{name} scans {scans:?} sequentially:\n{plan:#}"
    );
}

/// Fails unless `query` reads only an index: no table, not even for visibility (what a
/// count repeated on every instance every few seconds can afford at a million rows).
async fn assert_index_only<Q: QueryFragment<Pg> + Send>(app: &TestApp, name: &str, query: Q) {
    let plan = plan_of(app, query).await;
    let types: Vec<&str> = nodes(&plan)
        .into_iter()
        .filter_map(|node| node["Node Type"].as_str())
        .collect();
    assert!(
        types.contains(&"Index Only Scan")
            && !types
                .iter()
                .any(|node| node.contains("Heap") || *node == "Index Scan"),
        "{name} reads the table:\n{plan:#}"
    );
}

/// Fails unless the index scan of `query`, a later page, starts at its cursor
/// (`bound`, e.g. `email >=`) rather than reading every row before it and filtering
/// them out: page 1,000 must cost what page 1 does.
async fn assert_starts_at_cursor<Q: QueryFragment<Pg> + Send>(
    app: &TestApp,
    name: &str,
    query: Q,
    bound: &str,
) {
    let plan = plan_of(app, query).await;
    let starts_at_cursor = nodes(&plan)
        .into_iter()
        .filter_map(|node| node["Index Cond"].as_str())
        .any(|condition| condition.contains(bound));
    assert!(
        starts_at_cursor,
        "{name} does not start its index scan at the cursor ({bound}):\n{plan:#}"
    );
}

/// 3,000 users, 12,000 sessions (a quarter revoked, a tenth expired), 30,000 events of
/// every kind over a year; then `VACUUM ANALYZE`, so the planner knows the sizes and which
/// pages are all visible.
async fn seed(app: &TestApp) {
    app.execute(
        "INSERT INTO users (email, name, role, password_hash, last_sign_in_at)
         SELECT 'user' || n || '@school.example.org', 'Pupil Number ' || n,
                (ARRAY['student', 'teacher', 'admin'])[1 + n % 3], 'not a hash',
                CASE WHEN n % 10 > 0 THEN now() - n * interval '1 hour' END
         FROM generate_series(1, 3000) n",
    )
    .await;
    app.execute(
        "WITH numbered AS (SELECT id, row_number() OVER (ORDER BY email) % 3000 AS k FROM users)
         INSERT INTO user_sessions (user_id, token_hash, ip_address, user_agent, device,
             browser, os, is_active, created, last_seen_at, expires_at, revoked_at,
             revoked_reason)
         SELECT u.id, encode(sha256(n::text::bytea), 'hex'), '192.0.2.1', 'curl/8', 'computer',
                'curl', 'Linux', n % 4 <> 0,
                now() - (n % 40) * interval '1 day', now() - (n % 40) * interval '1 day',
                now() - (n % 40) * interval '1 day' + interval '36 days',
                CASE WHEN n % 4 = 0 THEN now() END, CASE WHEN n % 4 = 0 THEN 'logout' END
         FROM generate_series(1, 12000) n
         JOIN numbered u ON u.k = n % 3000",
    )
    .await;
    app.execute(
        "WITH numbered AS (SELECT id, row_number() OVER (ORDER BY email) % 3000 AS k FROM users)
         INSERT INTO session_events (at, user_id, kind, detail)
         SELECT now() - (n % 365) * interval '1 day' - n * interval '1 second', u.id,
                (ARRAY['login_succeeded', 'login_failed', 'session_created', 'session_revoked',
                       'session_expired', 'validation_failed'])[1 + n % 6], '{}'
         FROM generate_series(1, 30000) n
         JOIN numbered u ON u.k = n % 3000",
    )
    .await;
    app.execute("VACUUM ANALYZE users, user_sessions, session_events")
        .await;
}

#[tokio::test]
async fn every_request_query_on_a_growing_table_uses_an_index() {
    let app = spawn_app(CacheBackend::Memory).await;
    seed(&app).await;
    let some = &app
        .rows("SELECT user_id, token_hash FROM user_sessions WHERE is_active LIMIT 1")
        .await[0];
    let user = UserId(some["user_id"].as_str().unwrap().parse().unwrap());
    let hash = some["token_hash"].as_str().unwrap().to_owned();
    let now = Utc::now();

    assert_indexed(
        &app,
        "validation miss",
        SessionRow::with_user_by_hash(&hash),
    )
    .await;
    let panel = SessionRow::active_for_user(user, now, None);
    assert_indexed(&app, "a user's sessions", panel).await;
    let idle = SessionRow::active_for_user(user, now, Some(now - Duration::minutes(30)));
    assert_indexed(&app, "a user's sessions, idle timeout", idle).await;
    let asked = SessionRow::unanswered_new_devices(user, hallpass_shared::SessionId::random(), now);
    assert_indexed(&app, "new devices to ask about", asked).await;
    assert_indexed(&app, "cap enforcement", SessionRow::beyond_limit(user, 100)).await;
    assert_indexed(
        &app,
        "purge batch",
        SessionRow::expired_batch(now, None, 1000),
    )
    .await;
    let resumed = SessionRow::expired_batch(now, Some(now - Duration::days(5)), 1000);
    assert_indexed(&app, "purge batch, resumed", resumed).await;
    assert_index_only(&app, "active sessions gauge", SessionRow::active_count(now)).await;

    let everyone = UserFilter::default();
    let search = |text: &str| UserFilter {
        search: Some(text.into()),
        ..UserFilter::default()
    };
    let list = |filter: &UserFilter, sort, after: Option<SortKey>| {
        let cursor = after.map(|after| UserCursor { after, id: user });
        UserRow::listing(filter, sort, cursor.as_ref(), 26)
    };
    let by_email = Some(SortKey::Email("user2000@school.example.org".into()));
    let by_name = Some(SortKey::Name("Pupil Number 2000".into()));
    let signed_in = Some(SortKey::LastSignIn(Some(now - Duration::days(100))));
    let never = Some(SortKey::LastSignIn(None));
    for (sort, resume, bound) in [
        (UserSort::Email, by_email, "email >="),
        (UserSort::Name, by_name, "name >="),
        (UserSort::LastSignIn, signed_in, "COALESCE"),
        (UserSort::LastSignIn, never, "COALESCE"),
    ] {
        let name = format!("users by {sort}");
        assert_indexed(&app, &name, list(&everyone, sort, None)).await;
        let later = format!("{name}, a later page");
        assert_indexed(&app, &later, list(&everyone, sort, resume.clone())).await;
        assert_starts_at_cursor(&app, &later, list(&everyone, sort, resume), bound).await;
    }
    let teachers = UserFilter {
        role: Some(Role::Teacher),
        active: Some(true),
        ..UserFilter::default()
    };
    let filtered = list(&teachers, UserSort::LastSignIn, None);
    assert_indexed(&app, "active teachers by last sign-in", filtered).await;
    let by_email = UserRow::listing(&search("user123"), UserSort::Email, None, 26);
    assert_indexed(&app, "user search by email", by_email).await;
    let by_name = UserRow::listing(&search("Number 77"), UserSort::Email, None, 26);
    assert_indexed(&app, "user search by name", by_name).await;
    let counted = UserRow::counting(&search("user1"), 1000);
    assert_indexed(&app, "user search, counted", counted).await;

    let all = EventFilter::default();
    let of_user = EventFilter {
        user_id: Some(user),
        ..EventFilter::default()
    };
    let of_kind = EventFilter {
        kind: Some(EventKind::SessionExpired),
        ..EventFilter::default()
    };
    let in_range = EventFilter {
        from: Some(now - Duration::days(200)),
        to: Some(now - Duration::days(100)),
        ..EventFilter::default()
    };
    let after = EventCursor {
        at: now - Duration::days(300),
        id: hallpass_shared::EventId(uuid::Uuid::max()),
    };
    assert_indexed(&app, "audit trail", events::listing(&all, None, 26)).await;
    let later = events::listing(&all, Some(after), 26);
    assert_indexed(&app, "audit trail, a deep page", later).await;
    let later = events::listing(&all, Some(after), 26);
    assert_starts_at_cursor(&app, "audit trail, a deep page", later, "at <=").await;
    assert_indexed(
        &app,
        "a user's activity",
        events::listing(&of_user, None, 26),
    )
    .await;
    assert_indexed(
        &app,
        "audit trail by kind",
        events::listing(&of_kind, None, 26),
    )
    .await;
    let range = events::listing(&in_range, None, 26);
    assert_indexed(&app, "audit trail in a date range", range).await;
}
