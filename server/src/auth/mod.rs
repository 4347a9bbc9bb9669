//! Who is calling: the session token and its hash, the encrypted cookie that carries it,
//! password hashing, the client's address, and the extractors handlers declare.

pub mod client_ip;
pub mod cookie;
pub mod extract;
pub mod password;
pub mod throttle;
pub mod token;
