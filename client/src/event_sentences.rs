//! Audit events as sentences in the reader's language, naming people rather than ids:
//! "Ms Martin signed out 2 sessions", "Signed in with Firefox on Windows 10", "Password
//! changed: 3 other sessions signed out". Everything they say comes from the event's
//! typed `facts` and the people the server named.

use hallpass_shared::{
    ErrorCode, EventFacts, EventKind, OpenedBy, RevokedReason, SessionEventView,
};

use crate::i18n::Locale;
use crate::platform;

/// Who did something, as a sentence names them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    /// The reader.
    You,
    Named(String),
    /// Nobody recorded, or an account since gone.
    Someone,
}

impl Who {
    /// Whoever did `event`, as seen by the reader whose email is `reader`. Events a user
    /// does to their own sessions record nobody: the user did them.
    fn of(event: &SessionEventView, reader: Option<&str>) -> Self {
        let own = matches!(
            event.kind,
            EventKind::SessionRenamed
                | EventKind::NewDeviceConfirmed
                | EventKind::NewDeviceDenied
                | EventKind::Reauthenticated
                | EventKind::PasswordChanged
        );
        let (email, name) = match (&event.actor_email, own) {
            (Some(email), _) => (Some(email), event.actor_name.as_ref()),
            (None, true) => (event.user_email.as_ref(), None),
            (None, false) => (None, None),
        };
        match email {
            Some(email) if Some(email.as_str()) == reader => Self::You,
            Some(email) => Self::Named(name.unwrap_or(email).clone()),
            None => Self::Someone,
        }
    }

    /// The subject and, in French, the auxiliary its past tense takes.
    fn subject(&self, locale: Locale) -> (String, &'static str) {
        match (self, locale) {
            (Self::You, Locale::En) => ("You".into(), ""),
            (Self::You, Locale::Fr) => ("Vous".into(), "avez"),
            (Self::Named(name), _) => (name.clone(), "a"),
            (Self::Someone, Locale::En) => ("Someone".into(), ""),
            (Self::Someone, Locale::Fr) => ("Quelqu’un".into(), "a"),
        }
    }
}

/// `event` as a sentence for the reader whose email is `reader`; `count` is how many
/// events of the same act it stands for (the sessions one revocation signed out).
pub fn sentence(
    locale: Locale,
    event: &SessionEventView,
    count: usize,
    reader: Option<&str>,
) -> String {
    let facts = &event.facts;
    let (who, aux) = Who::of(event, reader).subject(locale);
    // "{who} {verb} {object}": English past tenses need no auxiliary, French ones do.
    let did = |en: &str, fr: &str| match locale {
        Locale::En => format!("{who} {en}"),
        Locale::Fr => format!("{who} {aux} {fr}"),
    };
    let pick = |en: String, fr: String| match locale {
        Locale::En => en,
        Locale::Fr => fr,
    };
    match event.kind {
        EventKind::LoginSucceeded => signed_in(locale, event),
        EventKind::LoginFailed => login_failed(locale, facts.refusal, facts.retry_after_secs),
        EventKind::SessionCreated => pick(
            match facts.opened_by {
                Some(OpenedBy::Login) => "Session opened at sign-in",
                Some(OpenedBy::Ensure) => "Session recorded from an earlier sign-in",
                Some(OpenedBy::PasswordChange) => "Session opened again after the password change",
                None => "Session opened",
            }
            .into(),
            match facts.opened_by {
                Some(OpenedBy::Login) => "Session ouverte à la connexion",
                Some(OpenedBy::Ensure) => "Session enregistrée d’une connexion antérieure",
                Some(OpenedBy::PasswordChange) => {
                    "Session rouverte après le changement de mot de passe"
                }
                None => "Session ouverte",
            }
            .into(),
        ),
        EventKind::SessionRevoked => signed_out(locale, facts.revoked_reason, count, &did),
        EventKind::SessionExpired => pick("Session expired".into(), "Session expirée".into()),
        EventKind::ValidationFailed => refused(locale, facts.refusal),
        // Set by someone else (an admin), or changed by the user themself.
        EventKind::PasswordChanged if event.actor_email.is_some() => {
            let (en, fr) = match facts.signed_out {
                Some(0) | None => (String::new(), String::new()),
                Some(1) => (
                    ": 1 session signed out".into(),
                    " : 1 session déconnectée".into(),
                ),
                Some(n) => (
                    format!(": {n} sessions signed out"),
                    format!(" : {n} sessions déconnectées"),
                ),
            };
            did(
                &format!("set a new password{en}"),
                &format!("défini un nouveau mot de passe{fr}"),
            )
        }
        EventKind::PasswordChanged => match facts.signed_out {
            Some(0) | None => pick("Password changed".into(), "Mot de passe changé".into()),
            Some(1) => pick(
                "Password changed: 1 other session signed out".into(),
                "Mot de passe changé : 1 autre session déconnectée".into(),
            ),
            Some(n) => pick(
                format!("Password changed: {n} other sessions signed out"),
                format!("Mot de passe changé : {n} autres sessions déconnectées"),
            ),
        },
        EventKind::UserCreated => match facts.role {
            Some(role) => did(
                &format!("created the account as {}", locale.role(role)),
                &format!("créé le compte ({})", locale.role(role)),
            ),
            None => did("created the account", "créé le compte"),
        },
        EventKind::UserUpdated | EventKind::UserDeactivated => account_changed(locale, event, &did),
        EventKind::UserReactivated => did("reactivated the account", "réactivé le compte"),
        EventKind::SessionRenamed => {
            let quoted = |name: &Option<String>| quote(locale, name.as_deref().unwrap_or(""));
            match (&facts.previous_name, &facts.name) {
                (None, name) => did(
                    &format!("named a session {}", quoted(name)),
                    &format!("nommé une session {}", quoted(name)),
                ),
                (before, None) => did(
                    &format!("removed the name {} from a session", quoted(before)),
                    &format!("retiré le nom {} d’une session", quoted(before)),
                ),
                (before, after) => did(
                    &format!(
                        "renamed a session from {} to {}",
                        quoted(before),
                        quoted(after)
                    ),
                    &format!(
                        "renommé une session de {} en {}",
                        quoted(before),
                        quoted(after)
                    ),
                ),
            }
        }
        EventKind::NewDeviceConfirmed => did(
            "confirmed a sign-in from a new device",
            "confirmé une connexion depuis un nouvel appareil",
        ),
        EventKind::NewDeviceDenied => did(
            "did not recognise a sign-in from a new device: it was signed out",
            "pas reconnu une connexion depuis un nouvel appareil : elle a été déconnectée",
        ),
        EventKind::Reauthenticated => did(
            "confirmed the password before a sensitive change",
            "confirmé le mot de passe avant une modification sensible",
        ),
        EventKind::PolicyChanged => {
            let (en, fr) = policy_terms(locale, facts);
            did(&en, &fr)
        }
    }
}

/// What a `policy_changed` event says after its subject, in English and in French (only
/// the reader's language is filled): "changed the students' policy: sessions last 8
/// hours, end after 15 minutes unused, at most 3 per person; 312 sessions ended".
fn policy_terms(locale: Locale, facts: &EventFacts) -> (String, String) {
    let people = facts.role.map(|role| locale.role_people(role));
    let mut en = match people {
        Some(people) => format!("changed the {people}’ session policy"),
        None => "changed a session policy".to_owned(),
    };
    let mut fr = match people {
        Some(people) => format!("modifié la règle des sessions des {people}"),
        None => "modifié une règle des sessions".to_owned(),
    };
    if let Some(policy) = facts.policy {
        let lifetime = locale.span(policy.lifetime_seconds);
        let idle = policy.idle_timeout_seconds.map(|idle| locale.span(idle));
        let max = policy.max_sessions;
        en.push_str(&format!(": sessions last {lifetime}"));
        fr.push_str(&format!(" : sessions de {lifetime}"));
        if let Some(idle) = &idle {
            en.push_str(&format!(", end after {idle} unused"));
            fr.push_str(&format!(", fermées après {idle} d’inactivité"));
        }
        en.push_str(&format!(", at most {max} per person"));
        fr.push_str(&format!(", au plus {max} par personne"));
    }
    match facts.sessions_ended {
        Some(0) | None => {}
        Some(1) => {
            en.push_str("; 1 session ended");
            fr.push_str(" ; 1 session fermée");
        }
        Some(n) => {
            en.push_str(&format!("; {n} sessions ended"));
            fr.push_str(&format!(" ; {n} sessions fermées"));
        }
    }
    (en, fr)
}

fn quote(locale: Locale, text: &str) -> String {
    match locale {
        Locale::En => format!("“{text}”"),
        Locale::Fr => format!("« {text} »"),
    }
}

/// "Signed in with Firefox on Windows 10".
fn signed_in(locale: Locale, event: &SessionEventView) -> String {
    let browser = event.facts.browser.as_deref().map(platform::browser_name);
    let os = event.facts.os.as_deref().map(platform::system);
    match (locale, browser, os) {
        (Locale::En, Some(browser), Some(os)) => format!("Signed in with {browser} on {os}"),
        (Locale::En, Some(browser), None) => format!("Signed in with {browser}"),
        (Locale::En, None, Some(os)) => format!("Signed in on {os}"),
        (Locale::En, None, None) => "Signed in".into(),
        (Locale::Fr, Some(browser), Some(os)) => format!("Connexion avec {browser} sous {os}"),
        (Locale::Fr, Some(browser), None) => format!("Connexion avec {browser}"),
        (Locale::Fr, None, Some(os)) => format!("Connexion sous {os}"),
        (Locale::Fr, None, None) => "Connexion".into(),
    }
}

fn login_failed(locale: Locale, refusal: Option<ErrorCode>, wait: Option<u64>) -> String {
    match (locale, refusal, wait) {
        (Locale::En, Some(ErrorCode::RateLimited), Some(seconds)) => {
            format!("Sign-in refused: too many attempts (told to wait {seconds} s)")
        }
        (Locale::Fr, Some(ErrorCode::RateLimited), Some(seconds)) => {
            format!("Connexion refusée : trop de tentatives (attente de {seconds} s demandée)")
        }
        (Locale::En, Some(ErrorCode::RateLimited), None) => {
            "Sign-in refused: too many attempts".into()
        }
        (Locale::Fr, Some(ErrorCode::RateLimited), None) => {
            "Connexion refusée : trop de tentatives".into()
        }
        (Locale::En, Some(ErrorCode::UserInactive), _) => {
            "Sign-in refused: the account is deactivated".into()
        }
        (Locale::Fr, Some(ErrorCode::UserInactive), _) => {
            "Connexion refusée : le compte est désactivé".into()
        }
        (Locale::En, _, _) => "Sign-in failed: wrong password or unknown email".into(),
        (Locale::Fr, _, _) => "Échec de connexion : mot de passe erroné ou e-mail inconnu".into(),
    }
}

/// A request whose session was not valid (any longer).
fn refused(locale: Locale, refusal: Option<ErrorCode>) -> String {
    let (en, fr) = match refusal {
        Some(ErrorCode::SessionRevoked) => ("a signed-out session", "session déconnectée"),
        Some(ErrorCode::SessionExpired) => ("an expired session", "session expirée"),
        Some(ErrorCode::UserInactive) => ("the account is deactivated", "compte désactivé"),
        _ => ("an unknown session", "session inconnue"),
    };
    match locale {
        Locale::En => format!("Request refused: {en}"),
        Locale::Fr => format!("Requête refusée : {fr}"),
    }
}

/// `count` sessions signed out together, and why.
fn signed_out(
    locale: Locale,
    reason: Option<RevokedReason>,
    count: usize,
    did: &dyn Fn(&str, &str) -> String,
) -> String {
    let sessions = match (locale, count) {
        (Locale::En, 1) => "a session".to_owned(),
        (Locale::En, n) => format!("{n} sessions"),
        (Locale::Fr, 1) => "une session".to_owned(),
        (Locale::Fr, n) => format!("{n} sessions"),
    };
    // "A session was signed out" / "3 sessions were signed out", then why.
    let passive = |en_why: &str, fr_why: &str| match (locale, count) {
        (Locale::En, 1) => format!("A session was signed out{en_why}"),
        (Locale::En, n) => format!("{n} sessions were signed out{en_why}"),
        (Locale::Fr, 1) => format!("Une session a été déconnectée{fr_why}"),
        (Locale::Fr, n) => format!("{n} sessions ont été déconnectées{fr_why}"),
    };
    match reason {
        Some(RevokedReason::Logout) => match locale {
            Locale::En => "Signed out".into(),
            Locale::Fr => "Déconnexion".into(),
        },
        Some(RevokedReason::User | RevokedReason::Admin) => did(
            &format!("signed out {sessions}"),
            &format!("déconnecté {sessions}"),
        ),
        Some(RevokedReason::Others) => did(
            &format!("signed out every other session ({count})"),
            &format!("déconnecté toutes les autres sessions ({count})"),
        ),
        Some(RevokedReason::PasswordChange) => passive(
            " by a password change",
            " par un changement de mot de passe",
        ),
        Some(RevokedReason::UserDeactivated) => passive(
            ": the account was deactivated",
            " : le compte a été désactivé",
        ),
        Some(RevokedReason::SessionLimit) => passive(
            ": too many sessions were open",
            " : trop de sessions étaient ouvertes",
        ),
        None => passive("", ""),
    }
}

/// What an admin changed on an account: its role, its name, whether it may sign in.
fn account_changed(
    locale: Locale,
    event: &SessionEventView,
    did: &dyn Fn(&str, &str) -> String,
) -> String {
    let facts = &event.facts;
    let (mut en, mut fr) = (Vec::new(), Vec::new());
    if facts.renamed {
        let before = quote(locale, facts.previous_name.as_deref().unwrap_or(""));
        let after = quote(locale, facts.name.as_deref().unwrap_or(""));
        en.push(format!("renamed the account from {before} to {after}"));
        fr.push(format!("renommé le compte de {before} en {after}"));
    }
    if let (Some(before), Some(after)) = (&facts.previous_email, &facts.email) {
        en.push(format!("changed the email from {before} to {after}"));
        fr.push(format!("changé l’adresse e-mail de {before} à {after}"));
    }
    if let (Some(before), Some(after)) = (facts.previous_role, facts.role) {
        en.push(format!(
            "changed the role from {} to {}",
            locale.role(before),
            locale.role(after)
        ));
        fr.push(format!(
            "changé le rôle de {} à {}",
            locale.role(before),
            locale.role(after)
        ));
    }
    match facts.must_change_password {
        Some(true) => {
            en.push("asked for a new password at the next sign-in".into());
            fr.push("demandé un nouveau mot de passe à la prochaine connexion".into());
        }
        Some(false) => {
            en.push("withdrew the demand for a new password".into());
            fr.push("retiré la demande de nouveau mot de passe".into());
        }
        None => {}
    }
    if event.kind == EventKind::UserDeactivated {
        en.push("deactivated the account".into());
        fr.push("désactivé le compte".into());
    }
    if en.is_empty() {
        return did("updated the account", "modifié le compte");
    }
    did(&en.join(" and "), &fr.join(" et "))
}

/// Whether `later` (listed just after `earlier`, newest first) is part of the same act:
/// sessions one revocation signed out together, at the same instant, by the same person,
/// for the same reason, of the same user.
pub fn same_act(earlier: &SessionEventView, later: &SessionEventView) -> bool {
    earlier.kind == EventKind::SessionRevoked
        && later.kind == EventKind::SessionRevoked
        && earlier.at == later.at
        && earlier.user_id == later.user_id
        && earlier.actor_email == later.actor_email
        && earlier.facts.revoked_reason == later.facts.revoked_reason
}

#[cfg(test)]
mod tests {
    use hallpass_shared::{PolicySettings, Role};

    use super::*;

    #[test]
    fn a_policy_change_says_the_new_policy_and_what_it_ended() {
        let changed = event(
            EventKind::PolicyChanged,
            EventFacts {
                role: Some(Role::Student),
                policy: Some(PolicySettings {
                    lifetime_seconds: 8 * 3600,
                    idle_timeout_seconds: Some(15 * 60),
                    max_sessions: 3,
                }),
                sessions_ended: Some(312),
                ..EventFacts::default()
            },
        );
        assert_eq!(
            sentence(Locale::En, &changed, 1, None),
            "Ms Martin changed the students’ session policy: sessions last 8 hours, \
             end after 15 minutes unused, at most 3 per person; 312 sessions ended"
        );
        assert_eq!(
            sentence(Locale::Fr, &changed, 1, None),
            "Ms Martin a modifié la règle des sessions des élèves : sessions de 8 heures, \
             fermées après 15 minutes d’inactivité, au plus 3 par personne ; 312 sessions fermées"
        );
    }

    /// An event as the API sends it (read from JSON, as the SPA reads it, so the test
    /// builds whichever fields the shared crate's features add).
    fn event(kind: EventKind, facts: EventFacts) -> SessionEventView {
        let mut event: SessionEventView = serde_json::from_str(
            r#"{"id": "00000000-0000-0000-0000-000000000000", "at": "2026-12-01T10:00:00Z",
                "user_id": "00000000-0000-0000-0000-000000000000", "user_email": "ann@school.test",
                "actor_email": "martin@school.test", "actor_name": "Ms Martin",
                "session_id": null, "kind": "login_succeeded", "ip_address": null,
                "user_agent": null}"#,
        )
        .unwrap();
        event.kind = kind;
        event.facts = facts;
        event
    }

    #[test]
    fn revocations_name_who_did_them_and_how_many() {
        let revoked = event(
            EventKind::SessionRevoked,
            EventFacts {
                revoked_reason: Some(RevokedReason::Admin),
                ..EventFacts::default()
            },
        );
        assert_eq!(
            sentence(Locale::En, &revoked, 2, Some("ann@school.test")),
            "Ms Martin signed out 2 sessions"
        );
        assert_eq!(
            sentence(Locale::Fr, &revoked, 1, Some("ann@school.test")),
            "Ms Martin a déconnecté une session"
        );
        assert_eq!(
            sentence(Locale::Fr, &revoked, 1, Some("martin@school.test")),
            "Vous avez déconnecté une session"
        );
    }

    #[test]
    fn sign_ins_and_password_changes_read_as_sentences() {
        let signed_in = event(
            EventKind::LoginSucceeded,
            EventFacts {
                browser: Some("Firefox 133.0".into()),
                os: Some("Windows 10".into()),
                ..EventFacts::default()
            },
        );
        assert_eq!(
            sentence(Locale::En, &signed_in, 1, None),
            "Signed in with Firefox on Windows 10"
        );
        let changed = EventFacts {
            signed_out: Some(3),
            ..EventFacts::default()
        };
        let mut set = event(EventKind::PasswordChanged, changed.clone());
        assert_eq!(
            sentence(Locale::En, &set, 1, None),
            "Ms Martin set a new password: 3 sessions signed out"
        );
        set.actor_email = None;
        let changed = set;
        assert_eq!(
            sentence(Locale::En, &changed, 1, None),
            "Password changed: 3 other sessions signed out"
        );
        assert_eq!(
            sentence(Locale::Fr, &changed, 1, None),
            "Mot de passe changé : 3 autres sessions déconnectées"
        );
    }

    #[test]
    fn account_changes_say_what_changed_in_words() {
        let updated = event(
            EventKind::UserUpdated,
            EventFacts {
                role: Some(Role::Student),
                previous_role: Some(Role::Admin),
                ..EventFacts::default()
            },
        );
        assert_eq!(
            sentence(Locale::En, &updated, 1, None),
            "Ms Martin changed the role from Admin to Student"
        );
        let demanded = event(
            EventKind::UserUpdated,
            EventFacts {
                must_change_password: Some(true),
                ..EventFacts::default()
            },
        );
        assert_eq!(
            sentence(Locale::En, &demanded, 1, None),
            "Ms Martin asked for a new password at the next sign-in"
        );
        assert_eq!(
            sentence(Locale::Fr, &demanded, 1, None),
            "Ms Martin a demandé un nouveau mot de passe à la prochaine connexion"
        );
        let corrected = event(
            EventKind::UserUpdated,
            EventFacts {
                renamed: true,
                previous_name: Some("Ann".into()),
                name: Some("Anne".into()),
                previous_email: Some("ann@school.test".into()),
                email: Some("anne@school.test".into()),
                ..EventFacts::default()
            },
        );
        assert_eq!(
            sentence(Locale::Fr, &corrected, 1, Some("martin@school.test")),
            "Vous avez renommé le compte de « Ann » en « Anne » et changé l’adresse e-mail de \
             ann@school.test à anne@school.test"
        );
        let mut own = event(
            EventKind::SessionRenamed,
            EventFacts {
                renamed: true,
                name: Some("School laptop".into()),
                ..EventFacts::default()
            },
        );
        own.actor_email = None;
        assert_eq!(
            sentence(Locale::En, &own, 1, Some("ann@school.test")),
            "You named a session “School laptop”"
        );
        assert_eq!(
            sentence(Locale::Fr, &own, 1, Some("someone@else.test")),
            "ann@school.test a nommé une session « School laptop »"
        );
    }
}
