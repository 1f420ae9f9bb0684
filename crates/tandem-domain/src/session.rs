//! How long a signed-in session lasts (ASVS v5.0.0 7.1.1, 7.3.1, 7.3.2),
//! how long an API token lasts, and when sign-in attempts are throttled.

use jiff::{SignedDuration, Timestamp};

/// A session ends after this long without a request, and in any case
/// this long after sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimeouts {
    pub idle: SignedDuration,
    pub absolute: SignedDuration,
}

impl Default for SessionTimeouts {
    fn default() -> Self {
        Self {
            idle: SignedDuration::from_mins(30),
            absolute: SignedDuration::from_hours(12),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Live,
    /// Unused for longer than the idle timeout.
    Idle,
    /// Older than the absolute timeout.
    Expired,
}

impl SessionTimeouts {
    pub fn state(&self, created: Timestamp, last_seen: Timestamp, now: Timestamp) -> SessionState {
        if now.duration_since(created) >= self.absolute {
            SessionState::Expired
        } else if now.duration_since(last_seen) >= self.idle {
            SessionState::Idle
        } else {
            SessionState::Live
        }
    }
}

/// How long an API bearer token is valid.
pub const API_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(8);

/// Sign-in throttling: after this many failures for one account, or from
/// one address, within the window, further attempts are refused unchecked
/// until the window has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInThrottle {
    pub window: SignedDuration,
    pub per_account: i64,
    pub per_address: i64,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self {
            window: SignedDuration::from_mins(15),
            per_account: 5,
            per_address: 20,
        }
    }
}

impl SignInThrottle {
    pub fn refuses(&self, account_failures: i64, address_failures: i64) -> bool {
        account_failures >= self.per_account || address_failures >= self.per_address
    }

    /// The start of the window that ends at `now`.
    pub fn since(&self, now: Timestamp) -> Timestamp {
        now.checked_sub(self.window).unwrap_or(Timestamp::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_mins(minutes)
    }

    #[test]
    fn sessions_end_when_idle_or_old() {
        let t = SessionTimeouts::default();
        assert_eq!(t.state(at(0), at(0), at(29)), SessionState::Live);
        assert_eq!(t.state(at(0), at(0), at(30)), SessionState::Idle);
        // Kept busy, it still ends at the absolute limit.
        assert_eq!(
            t.state(at(0), at(12 * 60 - 1), at(12 * 60 - 1)),
            SessionState::Live
        );
        assert_eq!(
            t.state(at(0), at(12 * 60 - 1), at(12 * 60)),
            SessionState::Expired
        );
    }

    #[test]
    fn throttling_counts_both_account_and_address() {
        let t = SignInThrottle::default();
        assert!(!t.refuses(4, 19));
        assert!(t.refuses(5, 0));
        assert!(t.refuses(0, 20));
        assert_eq!(t.since(at(60)), at(45));
    }
}
