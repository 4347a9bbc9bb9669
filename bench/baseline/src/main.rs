//! Ceilings for the session benchmarks, built the way the server is: `GET /hello`
//! answers a constant; `GET /empty` answers 200 with no body, as an auth server answers a
//! proxy (`bench/forward_auth.sh`); `GET /redis` does one Redis GET through the client
//! path of Hallpass's cache (one redis-rs `ConnectionManager` per worker thread, made
//! lazily, with the same timeouts) and answers the value.
//!
//! Usage: `hallpass-bench-baseline <bind address> <redis url> <key>`.

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

async fn hello() -> HttpResponse {
    HttpResponse::Ok().body("ok")
}

async fn empty() -> HttpResponse {
    HttpResponse::Ok().finish()
}

async fn redis_get(conn: web::Data<ConnectionManager>, key: web::Data<String>) -> HttpResponse {
    let mut conn = ConnectionManager::clone(&conn);
    match redis::cmd("GET")
        .arg(key.as_str())
        .query_async::<Option<Vec<u8>>>(&mut conn)
        .await
    {
        Ok(Some(value)) => HttpResponse::Ok().body(value),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

/// The server's settings (`server/src/redis_connections.rs`).
fn connection_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_response_timeout(Some(Duration::from_millis(500)))
        .set_connection_timeout(Some(Duration::from_millis(250)))
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_millis(500))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(bind), Some(redis_url), Some(key)) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: hallpass-bench-baseline <bind> <redis url> <key>");
        std::process::exit(2);
    };
    let client = redis::Client::open(redis_url).map_err(std::io::Error::other)?;
    let key = web::Data::new(key);
    HttpServer::new(move || {
        // The factory runs on each worker thread: one connection per worker.
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), connection_config())
            .unwrap_or_else(|error| {
                eprintln!("cannot set up the Redis connection: {error}");
                std::process::exit(1)
            });
        App::new()
            .app_data(web::Data::new(conn))
            .app_data(key.clone())
            .route("/hello", web::get().to(hello))
            .route("/empty", web::get().to(empty))
            .route("/redis", web::get().to(redis_get))
    })
    .bind(bind)?
    .run()
    .await
}
