//! Values chosen from a fixed list, written as kebab-case slugs.

/// A value chosen from a fixed list, written as a kebab-case slug on the
/// command line, in the API and in form values.
pub trait Choice: Sized + Copy + 'static {
    const ALL: &'static [Self];
    /// What the field is called in messages.
    const WHAT: &'static str;
    fn slug(self) -> &'static str;
    fn label(self) -> &'static str;

    fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("Choose a {}", Self::WHAT));
        }
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.slug() == value)
            .ok_or_else(|| {
                // Only an API client can send an unknown value: name the allowed ones.
                let allowed: Vec<&str> = Self::ALL.iter().map(|c| c.slug()).collect();
                format!("Choose a {} from: {}", Self::WHAT, allowed.join(", "))
            })
    }
}

/// A choice that may be left blank: blank is none, anything else must be known.
pub fn optional<C: Choice>(value: &str) -> Result<Option<C>, String> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        C::parse(value).map(Some)
    }
}

#[macro_export]
#[doc(hidden)]
macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => ($slug:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),+ }

        impl $crate::choice::Choice for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const WHAT: &'static str = $what;
            fn slug(self) -> &'static str { match self { $(Self::$variant => $slug),+ } }
            fn label(self) -> &'static str { match self { $(Self::$variant => $label),+ } }
        }
    };
}

pub use choice_enum as choice;
