//! Secrets: password hashing, session and API tokens, and the second factor.

use crate::error::AppError;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use jiff::Timestamp;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

/// Hashes a password with Argon2id at OWASP's parameters (19 MiB, t=2, p=1).
/// Slow on purpose: call it through [`hash_password`].
fn hash_blocking(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::internal()
        })
}

/// Hashes a password on a blocking thread, away from the request workers.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio_blocking(move || hash_blocking(&password)).await?
}

/// A hash of a password nobody knows: checking against it costs what a real
/// check costs, so an unknown username takes the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&random_hex(32)).unwrap_or_default())
}

/// Whether `password` matches `hash`. With no hash (no such account) it
/// checks against a dummy and says no, taking the same time.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    tokio_blocking(move || {
        let known = hash.is_some();
        let stored = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let matches = PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        known && matches
    })
    .await
}

/// Runs CPU-heavy `work` (a password hash, a national analysis) off the
/// threads that serve requests.
pub(crate) async fn tokio_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "a blocking task failed");
        AppError::internal()
    })
}

/// `bytes` random bytes from the operating system's generator, as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    hex(&buffer)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new session or API token: 256 random bits.
pub fn new_token() -> String {
    random_hex(32)
}

/// What is stored for a token: its SHA-256, so a copy of the database does
/// not hand out live sessions.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares secrets without leaking, through timing, how much matched.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

// ------------------------------------------------------------ second factor

const ISSUER: &str = "Tandem";

/// A new TOTP secret: 160 random bits, base32 as authenticator apps expect.
pub fn new_totp_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    totp_rs::Secret::Raw(bytes.to_vec())
        .to_encoded()
        .to_string()
}

fn totp(secret: &str, username: &str) -> Option<TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some(ISSUER.to_owned()),
        username.to_owned(),
    )
    .ok()
}

/// Whether `code` is right for `secret` at `now`, allowing one 30-second
/// step either side for clock drift.
pub fn totp_matches(secret: &str, username: &str, code: &str, now: Timestamp) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let seconds = u64::try_from(now.as_second()).unwrap_or(0);
    code.len() == 6 && totp(secret, username).is_some_and(|t| t.check(&code, seconds))
}

/// The current code: for tests and the demo only.
pub fn totp_code(secret: &str, username: &str, now: Timestamp) -> Option<String> {
    let seconds = u64::try_from(now.as_second()).unwrap_or(0);
    totp(secret, username).map(|t| t.generate(seconds))
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn totp_url(secret: &str, username: &str) -> String {
    totp(secret, username)
        .map(|t| t.get_url())
        .unwrap_or_default()
}

/// The QR code for an authenticator app, as an SVG drawing.
pub fn totp_qr_svg(secret: &str, username: &str) -> String {
    qrcode::QrCode::new(totp_url(secret, username).as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default()
}

/// How many recovery codes an account gets.
pub const RECOVERY_CODES: usize = 10;

/// New recovery codes, as shown once to their holder: `abcd-efgh-jkmn`.
pub fn new_recovery_codes() -> Vec<String> {
    // No 0/o, 1/l/i: easy to read back from paper.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..12)
                .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
        })
        .collect()
}

/// The stored form of a recovery code, however it was typed.
pub fn recovery_code_hash(code: &str) -> String {
    let normalised: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    token_hash(&normalised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_and_unknown_users_never_do() {
        let hash = hash_password("otter lantern quietly".into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("otter lantern quietly".into(), Some(hash.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !verify_password("otter lantern quiet".into(), Some(hash))
                .await
                .expect("verify")
        );
        assert!(
            !verify_password("anything".into(), None)
                .await
                .expect("verify")
        );
    }

    #[test]
    fn totp_codes_check_within_one_step() {
        let secret = new_totp_secret();
        let now: Timestamp = "2026-06-15T12:00:00Z".parse().expect("time");
        let code = totp_code(&secret, "amira", now).expect("code");
        assert!(totp_matches(&secret, "amira", &code, now));
        assert!(totp_matches(
            &secret,
            "amira",
            &code,
            now + jiff::SignedDuration::from_secs(30)
        ));
        assert!(!totp_matches(
            &secret,
            "amira",
            &code,
            now + jiff::SignedDuration::from_secs(120)
        ));
        assert!(!totp_matches(&secret, "amira", "12345", now));
        assert!(totp_url(&secret, "amira").starts_with("otpauth://totp/Tandem:amira"));
        assert!(totp_qr_svg(&secret, "amira").contains("<svg"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_forgiving_to_type() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        assert_eq!(
            recovery_code_hash("ABCD-efgh-2345"),
            recovery_code_hash("abcd efgh 2345")
        );
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
        assert!(same_secret(&a, &a));
        assert!(!same_secret(&a, &b));
    }
}
