//! A role's policy as the admin is typing it: numbers in humane units (minutes, hours,
//! days), checked here before anything is sent, in the words the page says under the
//! field.

use hallpass_shared::{PolicySettings, RolePolicyView};

use crate::i18n::Text;

/// The unit a duration is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl Unit {
    /// The units offered; seconds only for a policy already set in them (through the API).
    pub fn offered(current: Self) -> Vec<Self> {
        let mut units = vec![Self::Minutes, Self::Hours, Self::Days];
        if current == Self::Seconds {
            units.insert(0, Self::Seconds);
        }
        units
    }

    pub fn seconds(self) -> u64 {
        match self {
            Self::Seconds => 1,
            Self::Minutes => 60,
            Self::Hours => 3600,
            Self::Days => 86_400,
        }
    }

    /// The value of its `<option>`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Seconds => "s",
            Self::Minutes => "min",
            Self::Hours => "h",
            Self::Days => "d",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Self> {
        [Self::Seconds, Self::Minutes, Self::Hours, Self::Days]
            .into_iter()
            .find(|unit| unit.tag() == tag)
    }

    pub fn name(self) -> Text {
        match self {
            Self::Seconds => Text::UnitSeconds,
            Self::Minutes => Text::UnitMinutes,
            Self::Hours => Text::UnitHours,
            Self::Days => Text::UnitDays,
        }
    }
}

/// A duration as typed: the number as it stands in the field, and its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub count: String,
    pub unit: Unit,
}

impl Span {
    /// `seconds` in the largest unit it is a whole number of.
    pub fn of(seconds: u64) -> Self {
        let unit = [Unit::Days, Unit::Hours, Unit::Minutes]
            .into_iter()
            .find(|unit| seconds > 0 && seconds.is_multiple_of(unit.seconds()))
            .unwrap_or(Unit::Seconds);
        Self {
            count: (seconds / unit.seconds()).to_string(),
            unit,
        }
    }

    /// The seconds it stands for, if the count is a whole number above zero.
    fn seconds(&self) -> Option<u64> {
        let count: u64 = self.count.trim().parse().ok()?;
        (count > 0).then(|| count.checked_mul(self.unit.seconds()))?
    }
}

/// The fields of the form, for saying which one is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Lifetime,
    Idle,
    MaxSessions,
}

/// The form's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub lifetime: Span,
    pub idle_on: bool,
    pub idle: Span,
    pub max_sessions: String,
}

/// The longest lifetime a policy may give, as the server says: 400 days.
const LONGEST_SECONDS: u64 = 400 * 86_400;
const MOST_SESSIONS: u32 = 1_000;
/// The idle timeout the form offers when the admin turns one on.
const IDLE_OFFERED_SECONDS: u64 = 15 * 60;

impl Draft {
    pub fn of(view: &RolePolicyView) -> Self {
        Self {
            lifetime: Span::of(view.lifetime_seconds),
            idle_on: view.idle_timeout_seconds.is_some(),
            idle: Span::of(view.idle_timeout_seconds.unwrap_or(IDLE_OFFERED_SECONDS)),
            max_sessions: view.max_sessions.to_string(),
        }
    }

    /// The settings to send, or the first field that is wrong and what to say under it.
    pub fn settings(&self) -> Result<PolicySettings, (Field, Text)> {
        let lifetime = self
            .lifetime
            .seconds()
            .filter(|seconds| *seconds <= LONGEST_SECONDS)
            .ok_or((Field::Lifetime, Text::PolicyLifetimeInvalid))?;
        let idle = if self.idle_on {
            let idle = self.idle.seconds().filter(|idle| *idle < lifetime);
            Some(idle.ok_or((Field::Idle, Text::PolicyIdleInvalid))?)
        } else {
            None
        };
        let max_sessions = (self.max_sessions.trim().parse().ok())
            .filter(|max| (1..=MOST_SESSIONS).contains(max))
            .ok_or((Field::MaxSessions, Text::PolicyMaxInvalid))?;
        Ok(PolicySettings {
            lifetime_seconds: lifetime,
            idle_timeout_seconds: idle,
            max_sessions,
        })
    }
}

#[cfg(test)]
mod tests {
    use hallpass_shared::Role;

    use super::*;

    fn view(lifetime: u64, idle: Option<u64>, max: u32) -> RolePolicyView {
        RolePolicyView {
            role: Role::Student,
            lifetime_seconds: lifetime,
            idle_timeout_seconds: idle,
            max_sessions: max,
            is_default: false,
        }
    }

    #[test]
    fn durations_are_shown_in_their_largest_whole_unit() {
        let draft = Draft::of(&view(30 * 86_400, Some(90), 100));
        assert_eq!(
            (draft.lifetime.count.as_str(), draft.lifetime.unit),
            ("30", Unit::Days)
        );
        assert_eq!(
            (draft.idle.count.as_str(), draft.idle.unit),
            ("90", Unit::Seconds)
        );
        let off = Draft::of(&view(8 * 3600, None, 3));
        assert_eq!(off.lifetime.unit, Unit::Hours);
        assert!(!off.idle_on);
        assert_eq!(
            (off.idle.count.as_str(), off.idle.unit),
            ("15", Unit::Minutes)
        );
    }

    #[test]
    fn a_draft_reads_back_as_the_settings_it_shows() {
        for settings in [view(8 * 3600, Some(900), 3), view(90, None, 1000)] {
            assert_eq!(Draft::of(&settings).settings(), Ok(settings.settings()));
        }
    }

    #[test]
    fn each_field_is_checked_in_order() {
        let mut draft = Draft::of(&view(3600, Some(600), 5));
        draft.lifetime.count = "401".into();
        draft.lifetime.unit = Unit::Days;
        assert_eq!(
            draft.settings(),
            Err((Field::Lifetime, Text::PolicyLifetimeInvalid))
        );
        draft.lifetime.count = "1.5".into();
        assert_eq!(
            draft.settings(),
            Err((Field::Lifetime, Text::PolicyLifetimeInvalid))
        );
        draft.lifetime = Span::of(3600);
        draft.idle = Span::of(3600);
        assert_eq!(
            draft.settings(),
            Err((Field::Idle, Text::PolicyIdleInvalid))
        );
        draft.idle_on = false;
        draft.max_sessions = "0".into();
        assert_eq!(
            draft.settings(),
            Err((Field::MaxSessions, Text::PolicyMaxInvalid))
        );
        draft.max_sessions = " 12 ".into();
        assert_eq!(draft.settings().map(|s| s.max_sessions), Ok(12));
    }
}
