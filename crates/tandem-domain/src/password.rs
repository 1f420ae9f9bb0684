//! What makes an acceptable password (OWASP ASVS v5.0.0 6.2): at least 12
//! characters, at most 128, not a known-breached or trivial one, and not
//! built from the username.

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 12;
/// Longest password accepted: long enough for any passphrase, short enough
/// that hashing one cannot be used to tie up the server.
pub const MAX_LENGTH: usize = 128;

const COMMON: &str = include_str!("common_passwords.txt");

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|common| common == lower)
}

/// A run like `abcdefghijkl` or `987654321098`: every character one step on
/// (or back) from the last.
fn is_sequence(password: &str) -> bool {
    let codes: Vec<u32> = password.chars().map(u32::from).collect();
    let steps: Vec<i64> = codes
        .windows(2)
        .map(|w| i64::from(w[1]) - i64::from(w[0]))
        .collect();
    steps.iter().all(|s| *s == 1 || *s == -9) || steps.iter().all(|s| *s == -1 || *s == 9)
}

/// Checks a new password for `username`. Returns the reason it is refused.
pub fn check_new_password(password: &str, username: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!(
            "The password must be at least {MIN_LENGTH} characters long"
        ));
    }
    if length > MAX_LENGTH {
        return Err(format!(
            "The password must be {MAX_LENGTH} characters or fewer"
        ));
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 || is_sequence(password) {
        return Err(
            "The password is too easy to guess: use a longer mix of words or characters".into(),
        );
    }
    if is_common(password) {
        return Err(
            "The password is one of those most often used and stolen: choose another".into(),
        );
    }
    let name = username.trim().to_lowercase();
    if name.chars().count() >= 3 && password.to_lowercase().contains(&name) {
        return Err("The password must not contain the username".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_passwords_pass() {
        assert_eq!(check_new_password("otter lantern quietly", "amira"), Ok(()));
        assert_eq!(check_new_password("Tq9#mW2!pL7x", "amira"), Ok(()));
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        for (password, reason) in [
            ("short", "at least 12"),
            ("Password1234", "most often used"),
            ("QWERTY123456", "most often used"),
            ("aaaaaaaaaaaaaaaa", "too easy"),
            ("abababababababab", "too easy"),
            ("abcdefghijklmn", "too easy"),
            ("9876543210987", "too easy"),
            ("my name is amira!", "username"),
        ] {
            let error = check_new_password(password, "amira").expect_err(password);
            assert!(error.contains(reason), "{password}: {error}");
        }
        assert!(check_new_password(&"x1".repeat(65), "amira").is_err());
    }

    #[test]
    fn the_shipped_list_is_long_passwords_only() {
        // Anything shorter is refused by length already.
        for line in COMMON
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            assert!(line.chars().count() >= MIN_LENGTH, "{line}");
            assert_eq!(line, line.to_lowercase(), "{line}");
        }
    }
}
