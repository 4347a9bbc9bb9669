//! The cryptography the rules rely on: session tokens from the OS CSPRNG and their
//! SHA-256, and argon2id password hashing off the async workers.

pub mod password;
pub mod token;
