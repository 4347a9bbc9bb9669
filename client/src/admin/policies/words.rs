//! What the Policies page says, in the reader's language: the effect of a change before
//! it is saved, and the outcome.

use hallpass_shared::{PolicyEffect, PolicySettings, Role};

use crate::i18n::Locale;

impl Locale {
    /// "312 students' sessions older than 8 hours or unused for 15 minutes will end now."
    /// and "4 students hold more than 3 sessions: their oldest end at their next sign-in."
    pub fn policy_effect(
        self,
        role: Role,
        settings: PolicySettings,
        effect: PolicyEffect,
    ) -> String {
        let people = self.role_people(role);
        let lifetime = self.span(settings.lifetime_seconds);
        let idle = settings.idle_timeout_seconds.map(|idle| self.span(idle));
        let n = effect.sessions_ending;
        // The idle timeout, when there is one, as a second reason to end.
        let unused =
            |clause: &dyn Fn(&str) -> String| idle.as_deref().map(clause).unwrap_or_default();
        let mut said = match (self, n) {
            (Self::En, 0) => "No session ends now.".to_owned(),
            (Self::Fr, 0) => "Aucune session ne prend fin maintenant.".to_owned(),
            (Self::En, n) => format!(
                "{n} {people}’ {} older than {lifetime}{} will end now.",
                plural(n, "session", "sessions"),
                unused(&|idle| format!(" or unused for {idle}")),
            ),
            (Self::Fr, n) => format!(
                "{n} {} des {people} ouverte{} depuis plus de {lifetime}{} {} fin maintenant.",
                plural(n, "session", "sessions"),
                plural(n, "", "s"),
                unused(&|idle| format!(" ou inutilisée{} depuis {idle}", plural(n, "", "s"))),
                plural(n, "prendra", "prendront")
            ),
        };
        let max = settings.max_sessions;
        match (self, effect.users_over_limit) {
            (_, 0) => {}
            (Self::En, n) => said.push_str(&format!(
                " {n} {} more than {max}: their oldest end at their next sign-in.",
                plural(n, "person holds", "people hold")
            )),
            (Self::Fr, n) => said.push_str(&format!(
                " {n} {} plus de {max} : les plus anciennes prendront fin à la prochaine connexion.",
                plural(n, "personne en a", "personnes en ont")
            )),
        }
        said
    }

    /// After an admin saved a role's policy.
    pub fn policy_saved(self, role: Role) -> String {
        let people = self.role_people(role);
        match self {
            Self::En => format!("The {people}’ session policy is saved, and in force everywhere."),
            Self::Fr => format!(
                "La règle des sessions des {people} est enregistrée, et s’applique partout."
            ),
        }
    }
}

fn plural(count: u64, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUPILS: PolicySettings = PolicySettings {
        lifetime_seconds: 8 * 3600,
        idle_timeout_seconds: None,
        max_sessions: 3,
    };

    #[test]
    fn the_effect_is_said_before_saving_in_both_languages() {
        let effect = PolicyEffect {
            sessions_ending: 312,
            users_over_limit: 0,
        };
        assert_eq!(
            Locale::En.policy_effect(Role::Student, PUPILS, effect),
            "312 students’ sessions older than 8 hours will end now."
        );
        assert_eq!(
            Locale::Fr.policy_effect(Role::Student, PUPILS, effect),
            "312 sessions des élèves ouvertes depuis plus de 8 heures prendront fin maintenant."
        );
        let limited = PolicyEffect {
            sessions_ending: 0,
            users_over_limit: 4,
        };
        assert_eq!(
            Locale::En.policy_effect(Role::Student, PUPILS, limited),
            "No session ends now. 4 people hold more than 3: their oldest end at their next sign-in."
        );
    }
}
