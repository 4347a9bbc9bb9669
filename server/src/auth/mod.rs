//! Who is calling, as the HTTP edge sees it: the sealed session cookie and its keys, the
//! client's address behind trusted proxies, and the extractors handlers declare.

pub mod client_ip;
pub mod cookie;
pub mod cookie_keys;
pub mod extract;
pub mod stable_secret;
