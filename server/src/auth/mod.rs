//! Who is calling, as the HTTP edge sees it: the encrypted session cookie, the client's
//! address behind trusted proxies, and the extractors handlers declare.

pub mod client_ip;
pub mod cookie;
pub mod extract;
