//! Validation of the plain values that forms and the API carry as text.

use jiff::civil::Date;

/// Longest name accepted for any organisational record.
pub const MAX_NAME_LEN: usize = 100;

/// A trimmed, non-empty name of at most `max` characters, with no control characters.
pub fn name(value: &str, what: &str, max: usize) -> Result<String, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(format!("Enter the {what}"));
    }
    if trimmed.chars().count() > max {
        return Err(format!("The {what} must be {max} characters or fewer"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(format!("The {what} must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// An optional free-text value: blank becomes `None`.
pub fn optional_name(value: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        name(value, what, max).map(Some)
    }
}

/// A short reference code: letters, digits and hyphens, stored upper case.
pub fn code(value: &str, what: &str) -> Result<String, String> {
    let code = value.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err(format!("Enter the {what}"));
    }
    if code.len() > 20 {
        return Err(format!("The {what} must be 20 characters or fewer"));
    }
    let mut chars = code.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !first_ok || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!(
            "The {what} must start with a letter or digit and contain only letters, digits and hyphens"
        ));
    }
    Ok(code)
}

/// The earliest and latest years any date in the service can sensibly carry.
const EARLIEST_YEAR: i16 = 1900;
const LATEST_YEAR: i16 = 2200;

/// A calendar date written `YYYY-MM-DD`.
pub fn date(value: &str, what: &str) -> Result<Date, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(format!("Enter the {what}"));
    }
    let valid_shape = trimmed.len() == 10
        && trimmed.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !valid_shape {
        return Err(format!(
            "The {what} must be a real date, written as year-month-day (for example 2024-03-27)"
        ));
    }
    let date: Date = trimmed
        .parse()
        .map_err(|_| format!("The {what} must be a real date"))?;
    if !(EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year()) {
        return Err(format!(
            "The {what} must be between {EARLIEST_YEAR} and {LATEST_YEAR}"
        ));
    }
    Ok(date)
}

/// An optional date: blank becomes `None`.
pub fn optional_date(value: &str, what: &str) -> Result<Option<Date>, String> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        date(value, what).map(Some)
    }
}

/// A UK postcode in its usual written form, normalised to upper case with one space.
pub fn postcode(value: &str) -> Result<String, String> {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.is_empty() {
        return Err("Enter the postcode".into());
    }
    let (outward, inward) = compact.split_at(compact.len().saturating_sub(3));
    let inward_ok = inward.len() == 3 && {
        let b = inward.as_bytes();
        b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
    };
    let outward_ok = (2..=4).contains(&outward.len())
        && outward.starts_with(|c: char| c.is_ascii_alphabetic())
        && outward.chars().all(|c| c.is_ascii_alphanumeric())
        && outward.chars().any(|c| c.is_ascii_digit());
    if !inward_ok || !outward_ok {
        return Err("Enter a real postcode, like SW1A 1AA".into());
    }
    Ok(format!("{outward} {inward}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_cased_and_checked() {
        assert_eq!(code(" a1-pl ", "code"), Ok("A1-PL".into()));
        assert!(code("-A1", "code").is_err());
        assert!(code("A 1", "code").is_err());
        assert!(code("", "code").is_err());
        assert!(code(&"A".repeat(21), "code").is_err());
    }

    #[test]
    fn dates_must_be_real_and_iso() {
        assert_eq!(
            date("2024-02-29", "start date").map(|d| d.to_string()),
            Ok("2024-02-29".into())
        );
        assert!(date("2023-02-29", "start date").is_err());
        assert!(date("29/02/2024", "start date").is_err());
        assert!(date("2024-2-9", "start date").is_err());
        assert!(date("1812-01-01", "start date").is_err());
        assert_eq!(optional_date("  ", "end date"), Ok(None));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("  North East ", "name", 100), Ok("North East".into()));
        assert!(name("   ", "name", 100).is_err());
        assert!(name("a\u{7}b", "name", 100).is_err());
        assert!(name(&"x".repeat(101), "name", 100).is_err());
    }

    #[test]
    fn postcodes_are_normalised() {
        assert_eq!(postcode("ne14xb"), Ok("NE1 4XB".into()));
        assert_eq!(postcode("SW1A 1AA"), Ok("SW1A 1AA".into()));
        assert!(postcode("NE1").is_err());
        assert!(postcode("12345").is_err());
    }
}
