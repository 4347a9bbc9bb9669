//! Two ceilings for the session benchmarks, built the way the server is:
//! `GET /hello` answers a constant; `GET /redis` does one Redis GET through bb8 pools
//! set up like Hallpass's cache (one small pool per worker thread, no ping on
//! checkout) and answers the value.
//!
//! Usage: `hallpass-bench-baseline <bind address> <redis url> <key>`.

use actix_web::{App, HttpResponse, HttpServer, web};
use bb8_redis::{RedisConnectionManager, bb8};

type RedisPool = bb8::Pool<RedisConnectionManager>;

async fn hello() -> HttpResponse {
    HttpResponse::Ok().body("ok")
}

async fn redis_get(pool: web::Data<RedisPool>, key: web::Data<String>) -> HttpResponse {
    let Ok(mut conn) = pool.get().await else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    match redis::cmd("GET")
        .arg(key.as_str())
        .query_async::<Option<Vec<u8>>>(&mut *conn)
        .await
    {
        Ok(Some(value)) => HttpResponse::Ok().body(value),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(bind), Some(redis_url), Some(key)) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: hallpass-bench-baseline <bind> <redis url> <key>");
        std::process::exit(2);
    };
    let manager = RedisConnectionManager::new(redis_url).map_err(std::io::Error::other)?;
    let key = web::Data::new(key);
    HttpServer::new(move || {
        // The factory runs on each worker thread: one pool per worker.
        let pool = bb8::Pool::builder()
            .max_size(4)
            .test_on_check_out(false)
            .build_unchecked(manager.clone());
        App::new()
            .app_data(web::Data::new(pool))
            .app_data(key.clone())
            .route("/hello", web::get().to(hello))
            .route("/redis", web::get().to(redis_get))
    })
    .bind(bind)?
    .run()
    .await
}
