//! Password hashing (argon2id, run off the async threads) and the password policy.

use crate::codes::Code;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// Passwords that pass a length check yet appear in every breach list.
const COMMON: &[&str] = &[
    "passwordpassword",
    "password1234",
    "password12345",
    "password123456",
    "123456789012",
    "1234567890123",
    "12345678901234",
    "qwertyuiop12",
    "qwertyuiop123",
    "qwertyuiopasdf",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "administrator",
    "administrator1",
    "letmeinletmein",
    "iloveyouiloveyou",
    "welcome12345",
    "changeme1234",
    "changemechangeme",
    "trustno1trustno1",
    "abcdefghijkl",
    "abcdefghijklmn",
    "qwertyqwerty",
    "asdfghjklasdf",
    "zaq12wsxcde3",
    "passw0rdpassw0rd",
    "p@ssw0rd1234",
    "p@ssword1234",
    "monkeymonkey",
    "dragondragon",
    "football1234",
    "baseball1234",
    "superman1234",
    "sunshine1234",
    "princess1234",
    "correcthorsebatterystaple",
    "backupbackup",
    "resticrestic",
    "cairncairn12",
];

#[derive(Debug, PartialEq, Eq)]
pub enum PolicyViolation {
    TooShort(usize),
    TooLong,
    TooCommon,
    SameAsUsername,
}

impl PolicyViolation {
    pub fn code(&self) -> Code {
        match self {
            PolicyViolation::TooShort(_) => Code::PasswordTooShort,
            PolicyViolation::TooLong => Code::PasswordTooLong,
            PolicyViolation::TooCommon => Code::PasswordTooCommon,
            PolicyViolation::SameAsUsername => Code::PasswordSameAsUsername,
        }
    }

    pub fn message(&self) -> String {
        match self {
            PolicyViolation::TooShort(n) => format!("Password must be at least {n} characters."),
            PolicyViolation::TooLong => "Password must be at most 1024 characters.".into(),
            PolicyViolation::TooCommon => {
                "This password is too common; choose a longer or less predictable one.".into()
            }
            PolicyViolation::SameAsUsername => "Password must not be the username.".into(),
        }
    }
}

pub fn check_policy(password: &str, username: &str, min_len: usize) -> Result<(), PolicyViolation> {
    let len = password.chars().count();
    if len < min_len {
        return Err(PolicyViolation::TooShort(min_len));
    }
    if len > 1024 {
        return Err(PolicyViolation::TooLong);
    }
    let lower = password.to_lowercase();
    if lower == username.to_lowercase() {
        return Err(PolicyViolation::SameAsUsername);
    }
    let first = lower.chars().next();
    let one_char_repeated = lower.chars().all(|c| Some(c) == first);
    if one_char_repeated || COMMON.contains(&lower.as_str()) || is_sequence(&lower) {
        return Err(PolicyViolation::TooCommon);
    }
    Ok(())
}

/// "123456789012…" or "abcdefghijkl…": every char one more than the one before
/// (digits wrap from 9 to 0, as people type them).
fn is_sequence(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).all(|w| w[1] == w[0].wrapping_add(1) || (w[0] == b'9' && w[1] == b'0'))
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// False for a wrong password and for an unparsable stored hash.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match stored {
        Some(h) => Argon2::default().verify_password(password.as_bytes(), h.as_str()).is_ok(),
        None => {
            // Same work as a real check, so timing does not reveal unknown users.
            let _ = Argon2::default().verify_password(password.as_bytes(), DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// argon2id of a random string, used only to spend the same time on unknown users.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0zLjYq0m4dYtJLvg1wGZ3bG5nY1n0E9W6jv7GqfM0Ag";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check_policy("short", "u", 12), Err(PolicyViolation::TooShort(12)));
        assert_eq!(check_policy("Password1234", "u", 12), Err(PolicyViolation::TooCommon));
        assert_eq!(check_policy("aaaaaaaaaaaaaa", "u", 12), Err(PolicyViolation::TooCommon));
        assert_eq!(check_policy("3456789012345", "u", 12), Err(PolicyViolation::TooCommon));
        assert_eq!(
            check_policy("longusername1", "LongUsername1", 12),
            Err(PolicyViolation::SameAsUsername)
        );
        assert!(check_policy("blue-otter-sings-42", "u", 12).is_ok());
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("blue-otter-sings-42".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("blue-otter-sings-42".into(), Some(h.clone())).await);
        assert!(!verify("blue-otter-sings-43".into(), Some(h)).await);
        assert!(!verify("x".into(), None).await);
    }
}
