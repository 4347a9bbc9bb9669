//! The app's languages. Every visible string is a [`Text`] with an English and a French
//! form, declared side by side so neither can be forgotten; strings with numbers or names
//! in them are methods on [`Locale`].

use std::fmt;
use std::str::FromStr;

use hallpass_shared::{DeviceKind, ErrorCode, EventKind, Role};
use yew::prelude::*;

use crate::api::ApiError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    #[default]
    En,
    Fr,
}

/// Where the visitor's choice of language is remembered between visits.
const STORAGE_KEY: &str = "hallpass.locale";

impl Locale {
    pub const ALL: [Self; 2] = [Self::En, Self::Fr];

    /// The BCP 47 tag, also the route prefix.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    /// The language's own name for itself.
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Fr => "Français",
        }
    }

    /// The remembered choice, else the browser's language, else English.
    pub fn preferred() -> Self {
        remembered().or_else(browser_language).unwrap_or_default()
    }

    /// Remembers the choice for the next visit to `/`.
    pub fn remember(self) {
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(STORAGE_KEY, self.tag());
        }
    }

    pub fn text(self, text: Text) -> &'static str {
        match self {
            Self::En => text.en(),
            Self::Fr => text.fr(),
        }
    }

    pub fn role(self, role: Role) -> &'static str {
        self.text(match role {
            Role::Student => Text::RoleStudent,
            Role::Teacher => Text::RoleTeacher,
            Role::Admin => Text::RoleAdmin,
        })
    }

    /// The kind of device in words.
    pub fn device(self, device: DeviceKind) -> &'static str {
        self.text(match device {
            DeviceKind::Computer => Text::DeviceComputer,
            DeviceKind::Smartphone | DeviceKind::MobilePhone => Text::DevicePhone,
            DeviceKind::Appliance => Text::DeviceAppliance,
            DeviceKind::Crawler => Text::DeviceRobot,
            DeviceKind::Misc | DeviceKind::Unknown => Text::DeviceUnknown,
        })
    }

    pub fn event_kind(self, kind: EventKind) -> &'static str {
        self.text(match kind {
            EventKind::LoginSucceeded => Text::KindLoginSucceeded,
            EventKind::LoginFailed => Text::KindLoginFailed,
            EventKind::SessionCreated => Text::KindSessionCreated,
            EventKind::SessionRevoked => Text::KindSessionRevoked,
            EventKind::SessionExpired => Text::KindSessionExpired,
            EventKind::ValidationFailed => Text::KindValidationFailed,
            EventKind::PasswordChanged => Text::KindPasswordChanged,
            EventKind::UserCreated => Text::KindUserCreated,
            EventKind::UserUpdated => Text::KindUserUpdated,
            EventKind::UserDeactivated => Text::KindUserDeactivated,
            EventKind::UserReactivated => Text::KindUserReactivated,
            EventKind::SessionRenamed => Text::KindSessionRenamed,
            EventKind::NewDeviceConfirmed => Text::KindNewDeviceConfirmed,
            EventKind::NewDeviceDenied => Text::KindNewDeviceDenied,
            EventKind::Reauthenticated => Text::KindReauthenticated,
            EventKind::PolicyChanged => Text::KindPolicyChanged,
        })
    }

    /// What went wrong, for an error the page did not expect.
    pub fn error_message(self, error: &ApiError) -> String {
        let text = match error {
            ApiError::Unreachable => Text::ErrorUnreachable,
            ApiError::Unexpected { .. } => Text::ErrorUnexpected,
            ApiError::Server {
                retry_after: Some(seconds),
                detail,
                ..
            } if detail.code == ErrorCode::RateLimited => return self.rate_limited(*seconds),
            ApiError::Server { detail, .. } => match detail.code {
                ErrorCode::InvalidCredentials => Text::InvalidCredentials,
                ErrorCode::RateLimited => Text::ErrorRateLimited,
                ErrorCode::SessionInvalid
                | ErrorCode::SessionExpired
                | ErrorCode::SessionRevoked => Text::SessionEnded,
                ErrorCode::UserInactive => Text::AccountDeactivated,
                ErrorCode::Forbidden | ErrorCode::Csrf => Text::ErrorForbidden,
                ErrorCode::PasswordChangeRequired => Text::PasswordRequiredBody,
                ErrorCode::ReauthenticationRequired => Text::ReauthenticationRequired,
                ErrorCode::NotFound => Text::ErrorNotFound,
                ErrorCode::LastAdmin => Text::ErrorLastAdmin,
                ErrorCode::Conflict => Text::ErrorConflict,
                ErrorCode::Unavailable => Text::ErrorUnavailable,
                ErrorCode::Validation | ErrorCode::BadRequest | ErrorCode::PayloadTooLarge => {
                    // The server's words name the field; they are English only.
                    return match self {
                        Self::En => detail.message.clone(),
                        Self::Fr => format!("{} ({})", Text::ErrorInvalid.fr(), detail.message),
                    };
                }
                ErrorCode::MethodNotAllowed
                | ErrorCode::UnsupportedMediaType
                | ErrorCode::Internal => Text::ErrorUnexpected,
            },
        };
        self.text(text).to_owned()
    }

    pub fn rate_limited(self, seconds: u64) -> String {
        match self {
            Self::En => format!("Too many attempts. Try again in {seconds} s."),
            Self::Fr => format!("Trop de tentatives. Réessayez dans {seconds} s."),
        }
    }

    pub fn password_rule(self) -> String {
        let min = hallpass_shared::validate::PASSWORD_MIN_CHARS;
        match self {
            Self::En => format!("At least {min} characters. A phrase is easiest to remember."),
            Self::Fr => format!("Au moins {min} caractères. Une phrase se retient mieux."),
        }
    }

    /// The question a new-device sign-in asks on every other page of the account:
    /// "New sign-in on Firefox · Windows, France, 10:42 — was this you?".
    pub fn new_sign_in(self, device: &str, place: Option<&str>, time: &str) -> String {
        let place = place.map(|place| format!(", {place}")).unwrap_or_default();
        match self {
            Self::En => format!("New sign-in on {device}{place}, {time} — was this you?"),
            Self::Fr => format!("Nouvelle connexion sur {device}{place}, {time} — était-ce vous ?"),
        }
    }

    /// What "No, sign it out" did.
    pub fn signed_out_device(self, device: &str) -> String {
        match self {
            Self::En => format!(
                "{device} was signed out. If someone else knows your password, change it now."
            ),
            Self::Fr => format!(
                "{device} a été déconnecté. Si quelqu’un d’autre connaît votre mot de passe, \
                 changez-le maintenant."
            ),
        }
    }

    pub fn welcome(self, name: &str) -> String {
        match self {
            Self::En => format!("Welcome, {name}"),
            Self::Fr => format!("Bienvenue, {name}"),
        }
    }

    pub fn role_of(self, email: &str) -> String {
        match self {
            Self::En => format!("Role of {email}"),
            Self::Fr => format!("Rôle de {email}"),
        }
    }

    /// The confirmation of a new account, naming its role so that a slip shows at once.
    pub fn user_created(self, email: &str, role: Role) -> String {
        let role = self.role(role);
        match self {
            Self::En => format!("{email} can now sign in, as {role}."),
            Self::Fr => format!("{email} peut maintenant se connecter, en tant que {role}."),
        }
    }

    pub fn role_changed(self, email: &str, role: Role) -> String {
        let role = self.role(role);
        match self {
            Self::En => format!("{email} is now {role}."),
            Self::Fr => format!("{email} a désormais le rôle {role}."),
        }
    }

    pub fn deactivated(self, email: &str) -> String {
        match self {
            Self::En => format!(
                "{email} is deactivated: they cannot sign in, and every session of theirs was signed out."
            ),
            Self::Fr => format!(
                "{email} est désactivé : la connexion lui est fermée et toutes ses sessions ont été déconnectées."
            ),
        }
    }

    pub fn reactivated(self, email: &str) -> String {
        match self {
            Self::En => format!("{email} can sign in again."),
            Self::Fr => format!("{email} peut de nouveau se connecter."),
        }
    }

    /// The heading of a user's account card in the admin console.
    pub fn account_of(self, name: &str) -> String {
        match self {
            Self::En => format!("Account of {name}"),
            Self::Fr => format!("Compte de {name}"),
        }
    }

    /// After an admin corrected a user's name or email.
    pub fn account_saved(self, email: &str) -> String {
        match self {
            Self::En => format!("Changes to {email} saved."),
            Self::Fr => format!("Modifications de {email} enregistrées."),
        }
    }

    /// After an admin demanded (or stopped demanding) that a user choose a new password.
    pub fn password_demanded(self, email: &str, demanded: bool) -> String {
        match (self, demanded) {
            (Self::En, true) => {
                format!("{email} must choose a new password at their next sign-in.")
            }
            (Self::En, false) => format!("{email} no longer has to choose a new password."),
            (Self::Fr, true) => {
                format!("{email} devra choisir un nouveau mot de passe à sa prochaine connexion.")
            }
            (Self::Fr, false) => {
                format!("{email} n’a plus à choisir de nouveau mot de passe.")
            }
        }
    }

    /// After an admin gave a user a new password, which signed out their sessions.
    pub fn password_set(self, email: &str, count: u64) -> String {
        match (self, count) {
            (Self::En, 1) => format!("New password set for {email}: 1 session signed out."),
            (Self::En, n) => format!("New password set for {email}: {n} sessions signed out."),
            (Self::Fr, 0 | 1) => {
                format!("Nouveau mot de passe défini pour {email} : {count} session déconnectée.")
            }
            (Self::Fr, n) => {
                format!("Nouveau mot de passe défini pour {email} : {n} sessions déconnectées.")
            }
        }
    }

    /// After an admin signed out every session of a user.
    pub fn sessions_signed_out(self, email: &str, count: u64) -> String {
        match (self, count) {
            (Self::En, 1) => format!("1 session of {email} signed out."),
            (Self::En, n) => format!("{n} sessions of {email} signed out."),
            (Self::Fr, 0 | 1) => format!("{count} session de {email} déconnectée."),
            (Self::Fr, n) => format!("{n} sessions de {email} déconnectées."),
        }
    }

    /// After one session was signed out, named as its card names it.
    pub fn session_signed_out(self, session: &str) -> String {
        match self {
            Self::En => format!("Signed out: {session}."),
            Self::Fr => format!("Session déconnectée : {session}."),
        }
    }

    /// The accessible name of the button that clears the audit trail's user filter.
    pub fn show_everyone_instead_of(self, email: &str) -> String {
        match self {
            Self::En => format!("Show everyone, not only {email}"),
            Self::Fr => format!("Afficher tout le monde, pas seulement {email}"),
        }
    }

    pub fn sessions_of(self, name: &str) -> String {
        match self {
            Self::En => format!("Sessions of {name}"),
            Self::Fr => format!("Sessions de {name}"),
        }
    }

    pub fn only_user(self, email: &str) -> String {
        match self {
            Self::En => format!("Only {email}"),
            Self::Fr => format!("Seulement {email}"),
        }
    }

    pub fn signed_out_others(self, count: u64) -> String {
        match (self, count) {
            (Self::En, 1) => "1 other session signed out.".to_owned(),
            (Self::En, n) => format!("{n} other sessions signed out."),
            (Self::Fr, 0 | 1) => format!("{count} autre session déconnectée."),
            (Self::Fr, n) => format!("{n} autres sessions déconnectées."),
        }
    }

    /// "N users", or "More than N users" when the server stopped counting at N.
    pub fn user_count(self, count: u64, more: bool) -> String {
        match (self, count) {
            (Self::En, n) if more => format!("More than {n} users"),
            (Self::Fr, n) if more => format!("Plus de {n} utilisateurs"),
            (Self::En, 1) => "1 user".to_owned(),
            (Self::En, n) => format!("{n} users"),
            (Self::Fr, 0 | 1) => format!("{count} utilisateur"),
            (Self::Fr, n) => format!("{n} utilisateurs"),
        }
    }

    pub fn page_number(self, page: usize) -> String {
        match self {
            Self::En => format!("Page {page}"),
            Self::Fr => format!("Page {page}"),
        }
    }

    pub fn just_now(self) -> &'static str {
        match self {
            Self::En => "just now",
            Self::Fr => "à l’instant",
        }
    }

    /// "3 minutes ago".
    pub fn ago(self, unit: Unit, count: i64) -> String {
        match self {
            Self::En => format!("{} ago", self.amount(unit, count)),
            Self::Fr => format!("il y a {}", self.amount(unit, count)),
        }
    }

    /// "in 3 days".
    pub fn in_time(self, unit: Unit, count: i64) -> String {
        match self {
            Self::En => format!("in {}", self.amount(unit, count)),
            Self::Fr => format!("dans {}", self.amount(unit, count)),
        }
    }

    /// A length of time in the largest unit it is a whole number of: "8 hours",
    /// "15 minutes", "1 day", "90 seconds".
    pub fn span(self, seconds: u64) -> String {
        const MINUTE: u64 = 60;
        const HOUR: u64 = 3600;
        const DAY: u64 = 86_400;
        let (count, one, many) = match (self, seconds) {
            (Self::En, s) if s.is_multiple_of(DAY) && s > 0 => (s / DAY, "day", "days"),
            (Self::En, s) if s.is_multiple_of(HOUR) && s > 0 => (s / HOUR, "hour", "hours"),
            (Self::En, s) if s.is_multiple_of(MINUTE) && s > 0 => (s / MINUTE, "minute", "minutes"),
            (Self::En, s) => (s, "second", "seconds"),
            (Self::Fr, s) if s.is_multiple_of(DAY) && s > 0 => (s / DAY, "jour", "jours"),
            (Self::Fr, s) if s.is_multiple_of(HOUR) && s > 0 => (s / HOUR, "heure", "heures"),
            (Self::Fr, s) if s.is_multiple_of(MINUTE) && s > 0 => (s / MINUTE, "minute", "minutes"),
            (Self::Fr, s) => (s, "seconde", "secondes"),
        };
        format!("{count} {}", if count == 1 { one } else { many })
    }

    /// A role's people, in the plural, as a sentence names them ("students").
    pub fn role_people(self, role: Role) -> &'static str {
        match (self, role) {
            (Self::En, Role::Student) => "students",
            (Self::En, Role::Teacher) => "teachers",
            (Self::En, Role::Admin) => "admins",
            (Self::Fr, Role::Student) => "élèves",
            (Self::Fr, Role::Teacher) => "enseignants",
            (Self::Fr, Role::Admin) => "administrateurs",
        }
    }

    fn amount(self, unit: Unit, count: i64) -> String {
        let (one, many) = match (self, unit) {
            (Self::En, Unit::Minute) => ("minute", "minutes"),
            (Self::En, Unit::Hour) => ("hour", "hours"),
            (Self::En, Unit::Day) => ("day", "days"),
            (Self::En, Unit::Month) => ("month", "months"),
            (Self::En, Unit::Year) => ("year", "years"),
            (Self::Fr, Unit::Minute) => ("minute", "minutes"),
            (Self::Fr, Unit::Hour) => ("heure", "heures"),
            (Self::Fr, Unit::Day) => ("jour", "jours"),
            (Self::Fr, Unit::Month) => ("mois", "mois"),
            (Self::Fr, Unit::Year) => ("an", "ans"),
        };
        format!("{count} {}", if count == 1 { one } else { many })
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// Not a language the app speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLocale;

impl FromStr for Locale {
    type Err = UnknownLocale;

    fn from_str(tag: &str) -> Result<Self, UnknownLocale> {
        Self::ALL
            .into_iter()
            .find(|locale| locale.tag() == tag)
            .ok_or(UnknownLocale)
    }
}

/// The language of the page on screen (from its route); the visitor's preference outside
/// any route.
#[hook]
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_else(Locale::preferred)
}

#[cfg(target_arch = "wasm32")]
fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// No browser, no storage: host builds (unit tests) use the default language.
#[cfg(not(target_arch = "wasm32"))]
fn local_storage() -> Option<web_sys::Storage> {
    None
}

fn remembered() -> Option<Locale> {
    local_storage()?.get_item(STORAGE_KEY).ok()??.parse().ok()
}

#[cfg(target_arch = "wasm32")]
fn browser_language() -> Option<Locale> {
    let language = web_sys::window()?.navigator().language()?;
    language.split('-').next()?.to_lowercase().parse().ok()
}

#[cfg(not(target_arch = "wasm32"))]
fn browser_language() -> Option<Locale> {
    None
}

macro_rules! texts {
    ($($key:ident => $en:literal, $fr:literal;)*) => {
        /// A visible string of the app; see [`Locale::text`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text { $($key,)* }

        impl Text {
            #[cfg(test)]
            const ALL: &[Text] = &[$(Text::$key,)*];

            fn en(self) -> &'static str {
                match self { $(Text::$key => $en,)* }
            }

            fn fr(self) -> &'static str {
                match self { $(Text::$key => $fr,)* }
            }
        }
    };
}

texts! {
    Account => "Account", "Compte";
    ActionFailed => "That did not work.", "L’action a échoué.";
    Actions => "Actions", "Actions";
    Active => "Active", "Actif";
    AllRoles => "All roles", "Tous les rôles";
    AnyStatus => "Any status", "Tous les statuts";
    ActiveSessions => "Active sessions", "Sessions actives";
    ActiveSessionsHint => "Every browser or device signed in to your account. Sign out any you do not recognise.",
        "Chaque navigateur ou appareil connecté à votre compte. Déconnectez ceux que vous ne reconnaissez pas.";
    AddUser => "Add a user", "Ajouter un utilisateur";
    AdminConsole => "Admin console", "Console d’administration";
    AllEvents => "All events", "Tous les événements";
    AuditTrail => "Audit trail", "Journal d’audit";
    Cancel => "Cancel", "Annuler";
    ChangePassword => "Change password", "Changer le mot de passe";
    ChangePasswordHint => "Changing your password signs out every other session.",
        "Changer de mot de passe déconnecte toutes les autres sessions.";
    ConfirmDeactivate => "Deactivate and end all their sessions?", "Désactiver et fermer toutes ses sessions ?";
    ConfirmRevoke => "Sign this session out?", "Déconnecter cette session ?";
    ConfirmRevokeAll => "Sign out every session of this user?", "Déconnecter toutes les sessions de cet utilisateur ?";
    ConfirmReactivate => "Let this user sign in again?", "Permettre de nouveau à cet utilisateur de se connecter ?";
    ConfirmSignOutOthers => "Sign out every session except this one?", "Déconnecter toutes les sessions sauf celle-ci ?";
    Created => "Created", "Créée";
    AccountCreated => "Created", "Créé";
    CurrentPassword => "Current password", "Mot de passe actuel";
    CurrentPasswordMissing => "Enter your current password.", "Saisissez votre mot de passe actuel.";
    CurrentPasswordWrong => "Your current password is not right: the password was not changed.", "Votre mot de passe actuel est incorrect : le mot de passe n'a pas été modifié.";
    Dashboard => "Dashboard", "Tableau de bord";
    Deactivate => "Deactivate", "Désactiver";
    Device => "Device", "Appareil";
    DeviceAppliance => "Appliance", "Appareil connecté";
    DeviceComputer => "Computer", "Ordinateur";
    DevicePhone => "Phone", "Téléphone";
    DeviceRobot => "Robot", "Robot";
    DeviceUnknown => "Unknown device", "Appareil inconnu";
    Email => "Email", "Adresse e-mail";
    ErrorConflict => "That conflicts with an existing record.", "Cela entre en conflit avec un enregistrement existant.";
    ErrorForbidden => "You are not allowed to do that.", "Vous n’avez pas le droit de faire cela.";
    ErrorInvalid => "Invalid input", "Saisie invalide";
    ErrorLastAdmin => "The last active admin cannot be deactivated or demoted.",
        "Le dernier administrateur actif ne peut être ni désactivé ni rétrogradé.";
    ErrorNotFound => "It no longer exists.", "Cet élément n’existe plus.";
    ErrorRateLimited => "Too many attempts. Wait a moment.", "Trop de tentatives. Patientez un instant.";
    ErrorUnavailable => "The service is temporarily unavailable. Try again shortly.",
        "Le service est momentanément indisponible. Réessayez bientôt.";
    ErrorUnexpected => "Something went wrong on our side.", "Une erreur est survenue de notre côté.";
    ErrorUnreachable => "The server cannot be reached. Check your connection.",
        "Le serveur est injoignable. Vérifiez votre connexion.";
    EndedByAdmin => "An administrator signed this session out. Sign in again, or ask them why.",
        "Un administrateur a déconnecté cette session. Reconnectez-vous, ou demandez-lui pourquoi.";
    EndedElsewhere => "This session was signed out from another of your devices.",
        "Cette session a été déconnectée depuis un autre de vos appareils.";
    EndedExpired => "Your session expired. Please sign in again.", "Votre session a expiré. Reconnectez-vous.";
    EndedPasswordChanged => "Your password was changed, so this session was signed out. Sign in with the new password.",
        "Votre mot de passe a été changé, cette session a donc été déconnectée. Connectez-vous avec le nouveau mot de passe.";
    EndedSessionLimit => "You signed in on more devices than allowed, so this older session was signed out.",
        "Vous vous êtes connecté sur plus d’appareils que permis : cette session, plus ancienne, a été déconnectée.";
    EmailInvalid => "Enter an email like name@school.org.", "Saisissez une adresse comme nom@ecole.fr.";
    EmailTaken => "A user with this email already exists.", "Un utilisateur a déjà cette adresse e-mail.";
    EventKind => "Event", "Événement";
    Expires => "Expires", "Expire";
    EventsLoadFailed => "Could not load the audit trail.", "Impossible de charger le journal d’audit.";
    FillBothFields => "Enter your email and password.", "Saisissez votre adresse e-mail et votre mot de passe.";
    Filter => "Filter", "Filtrer";
    FirstPassword => "First password", "Premier mot de passe";
    From => "From", "Du";
    GoHome => "Go to the start page", "Aller à l’accueil";
    Inactive => "Deactivated", "Désactivé";
    LastSignIn => "Last sign-in", "Dernière connexion";
    InvalidCredentials => "Wrong email or password.", "Adresse e-mail ou mot de passe incorrect.";
    IpAddress => "IP address", "Adresse IP";
    KindLoginFailed => "Failed sign-in", "Échec de connexion";
    KindLoginSucceeded => "Sign-in", "Connexion";
    KindPasswordChanged => "Password changed", "Mot de passe changé";
    KindSessionCreated => "Session created", "Session créée";
    KindSessionExpired => "Session expired", "Session expirée";
    KindSessionRevoked => "Session signed out", "Session déconnectée";
    KindSessionRenamed => "Session renamed", "Session renommée";
    KindNewDeviceConfirmed => "New device confirmed", "Nouvel appareil confirmé";
    KindNewDeviceDenied => "New device signed out", "Nouvel appareil déconnecté";
    KindReauthenticated => "Password confirmed", "Mot de passe confirmé";
    KindPolicyChanged => "Policy changed", "Règle modifiée";
    Policies => "Policies", "Règles";
    PoliciesTitle => "Session policies", "Règles des sessions";
    PoliciesHint => "How long each role's sessions last, how long they may go unused, and how many one person may hold. A change applies at once, on every server.",
        "Combien de temps durent les sessions de chaque rôle, combien de temps elles peuvent rester inutilisées, et combien une personne peut en ouvrir. Une modification s’applique aussitôt, sur tous les serveurs.";
    PolicyDefault => "Configured default", "Valeur par défaut";
    PolicyLifetime => "Sessions last", "Durée d’une session";
    PolicyIdleOn => "Sign out sessions left unused", "Déconnecter les sessions inutilisées";
    PolicyIdle => "Unused for", "Inutilisée depuis";
    PolicyMaxSessions => "Sessions per person, at most", "Sessions par personne, au plus";
    PolicyLifetimeInvalid => "A whole number, from 1 second to 400 days.", "Un nombre entier, de 1 seconde à 400 jours.";
    PolicyIdleInvalid => "A whole number, shorter than the session lifetime.", "Un nombre entier, plus court que la durée d’une session.";
    PolicyMaxInvalid => "A whole number from 1 to 1,000.", "Un nombre entier de 1 à 1 000.";
    PolicyUnchanged => "Nothing changed yet.", "Rien n’a encore changé.";
    PolicyNothingEnds => "No session ends now.", "Aucune session ne prend fin maintenant.";
    Unit => "Unit", "Unité";
    UnitSeconds => "seconds", "secondes";
    UnitMinutes => "minutes", "minutes";
    UnitHours => "hours", "heures";
    UnitDays => "days", "jours";
    KindUserCreated => "User created", "Utilisateur créé";
    KindUserDeactivated => "User deactivated", "Utilisateur désactivé";
    KindUserReactivated => "User reactivated", "Utilisateur réactivé";
    KindUserUpdated => "User updated", "Utilisateur modifié";
    KindValidationFailed => "Request refused", "Requête refusée";
    Language => "Language", "Langue";
    LastActive => "Last active", "Dernière activité";
    Location => "Location", "Lieu";
    NameSession => "Rename", "Renommer";
    NewDevice => "New device", "Nouvel appareil";
    NewSignInConfirmed => "Thank you: that sign-in is marked as yours.", "Merci : cette connexion est notée comme la vôtre.";
    NewSignInNo => "No, sign it out", "Non, la déconnecter";
    NewSignInYes => "Yes, it was me", "Oui, c’était moi";
    Save => "Save", "Enregistrer";
    SessionName => "Session name", "Nom de la session";
    SessionNameHint => "Up to 40 characters, e.g. School laptop. Leave empty to remove the name.",
        "Jusqu’à 40 caractères, par exemple Portable de l’école. Laissez vide pour retirer le nom.";
    SessionRenamed => "Session renamed.", "Session renommée.";
    Loading => "Loading…", "Chargement…";
    MainNavigation => "Main", "Principale";
    ManageSessions => "Manage your sessions", "Gérer vos sessions";
    Name => "Name", "Nom";
    Never => "Never", "Jamais";
    OpenSessions => "Open sessions", "Sessions ouvertes";
    NameInvalid => "A name is at most 100 characters, without control characters.", "Un nom compte 100 caractères au plus, sans caractère de contrôle.";
    NameMissing => "Enter a name.", "Saisissez un nom.";
    NewPassword => "New password", "Nouveau mot de passe";
    NewPasswordInvalid => "The new password must be 10 to 256 characters long.",
        "Le nouveau mot de passe doit compter de 10 à 256 caractères.";
    Next => "Next", "Suivante";
    NoEvents => "No events match.", "Aucun événement ne correspond.";
    NoSessions => "No active sessions.", "Aucune session active.";
    NoSessionsForUser => "This user has no active session.", "Cet utilisateur n’a aucune session active.";
    NotFoundBody => "There is no page at this address.", "Il n’y a pas de page à cette adresse.";
    NotFoundTitle => "Page not found", "Page introuvable";
    NoUsers => "No users match.", "Aucun utilisateur ne correspond.";
    Password => "Password", "Mot de passe";
    PasswordChanged => "Password changed. Your other sessions were signed out.",
        "Mot de passe changé. Vos autres sessions ont été déconnectées.";
    PasswordChangeFailed => "The password was not changed.", "Le mot de passe n’a pas été changé.";
    PasswordsDiffer => "The two new passwords differ.", "Les deux nouveaux mots de passe diffèrent.";
    Previous => "Previous", "Précédente";
    Profile => "Profile", "Profil";
    Reactivate => "Reactivate", "Réactiver";
    RecentActivity => "Recent activity", "Activité récente";
    RecentActivityHint => "Sign-ins, failed attempts and ended sessions on your account.",
        "Connexions, tentatives échouées et sessions fermées sur votre compte.";
    Reference => "Reference:", "Référence :";
    Refresh => "Refresh", "Actualiser";
    RepeatPassword => "Repeat the new password", "Répétez le nouveau mot de passe";
    Revoke => "Sign out", "Déconnecter";
    RevokeAll => "Sign out all their sessions", "Déconnecter toutes ses sessions";
    Role => "Role", "Rôle";
    RoleAdmin => "Admin", "Administrateur";
    RoleStudent => "Student", "Élève";
    RoleTeacher => "Teacher", "Enseignant";
    Search => "Search", "Rechercher";
    SearchPlaceholder => "Name or email", "Nom ou adresse e-mail";
    SearchUsers => "Search users", "Rechercher des utilisateurs";
    SessionCheckFailed => "Could not check your session.", "Impossible de vérifier votre session.";
    SessionEnded => "Your session has ended. Please sign in again.", "Votre session a pris fin. Veuillez vous reconnecter.";
    AccountDeactivated => "This account is deactivated. Ask your school's Hallpass administrator to reactivate it.", "Ce compte est désactivé. Demandez à l'administrateur Hallpass de votre établissement de le réactiver.";
    PasswordAsked => "new password asked", "nouveau mot de passe demandé";
    PasswordRequiredTitle => "Choose a new password", "Choisissez un nouveau mot de passe";
    PasswordRequiredBody => "An administrator asked you to choose a new password before you continue.",
        "Un administrateur vous demande de choisir un nouveau mot de passe avant de continuer.";
    ReauthenticationRequired => "Confirm your password to do this, then try again.",
        "Confirmez votre mot de passe pour faire cela, puis réessayez.";
    ReauthTitle => "Confirm your password", "Confirmez votre mot de passe";
    SharedComputer => "This is a shared computer", "C'est un ordinateur partagé";
    SharedComputerHint => "You are signed out when the browser closes or after a few minutes unused, and this computer is not remembered as yours.",
        "Vous êtes déconnecté à la fermeture du navigateur ou après quelques minutes sans activité, et cet ordinateur n'est pas retenu comme le vôtre.";
    SharedComputerBadge => "Shared computer", "Ordinateur partagé";
    ReauthHint => "This change needs your password again: it protects the school if this computer is left unattended. Once confirmed, the change is made.",
        "Cette modification demande de nouveau votre mot de passe : cela protège l'établissement si cet ordinateur est laissé sans surveillance. Une fois confirmé, la modification est faite.";
    ReauthConfirm => "Confirm", "Confirmer";
    ReauthWrong => "That is not your password.", "Ce n'est pas votre mot de passe.";
    ReauthFailed => "Your password could not be confirmed.", "Votre mot de passe n'a pas pu être confirmé.";
    RequirePasswordChange => "Ask for a new password at the next sign-in",
        "Demander un nouveau mot de passe à la prochaine connexion";
    Sessions => "Sessions", "Sessions";
    SetPassword => "Set the new password", "Définir le nouveau mot de passe";
    SetPasswordHint => "Every session of theirs is signed out; give them the new password yourself.",
        "Toutes ses sessions sont déconnectées ; transmettez-lui vous-même le nouveau mot de passe.";
    SessionsLoadFailed => "Could not load the sessions.", "Impossible de charger les sessions.";
    SignedInSince => "Signed in", "Connecté";
    SignIn => "Sign in", "Se connecter";
    SigningIn => "Signing in…", "Connexion…";
    SignOut => "Sign out", "Se déconnecter";
    SignedOutHere => "You have signed out.", "Vous êtes déconnecté.";
    TakingYouBack => "Signed in. Taking you back…", "Connecté. Retour à la page demandée…";
    ShowEveryone => "Show everyone", "Afficher tout le monde";
    DatesReversed => "The start date must be on or before the end date.", "La date de début doit précéder la date de fin, ou lui être égale.";
    SignOutOthers => "Sign out all other sessions", "Déconnecter toutes les autres sessions";
    SkipToContent => "Skip to content", "Aller au contenu";
    Status => "Status", "Statut";
    SortBy => "Sort by", "Trier par";
    StudentBlurb => "Your courses, timetable and marks live here. Your sessions are on your profile page.",
        "Vos cours, votre emploi du temps et vos notes sont ici. Vos sessions sont sur votre page de profil.";
    StudentDashboard => "Student dashboard", "Espace élève";
    TeacherBlurb => "Your classes and registers live here. Your sessions are on your profile page.",
        "Vos classes et vos registres sont ici. Vos sessions sont sur votre page de profil.";
    TeacherDashboard => "Teacher dashboard", "Espace enseignant";
    ThisDevice => "This device", "Cet appareil";
    To => "To", "Au";
    TryAgain => "Try again", "Réessayer";
    User => "User", "Utilisateur";
    Users => "Users", "Utilisateurs";
    UsersLoadFailed => "Could not load the users.", "Impossible de charger les utilisateurs.";
    When => "When", "Quand";
    YesRevoke => "Yes, sign it out", "Oui, la déconnecter";
}

/// The unit a duration is spoken in ("3 *minutes* ago").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Minute,
    Hour,
    Day,
    Month,
    Year,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A French text equal to its English one was almost always pasted and forgotten.
    #[test]
    fn every_text_is_translated() {
        const SAME_IN_BOTH: &[Text] = &[
            Text::Actions,
            Text::DeviceRobot,
            Text::Sessions,
            Text::UnitMinutes,
        ];
        for text in Text::ALL {
            assert!(!text.en().is_empty() && !text.fr().is_empty(), "{text:?}");
            if !SAME_IN_BOTH.contains(text) {
                assert_ne!(text.en(), text.fr(), "{text:?} is not translated");
            }
        }
    }

    #[test]
    fn tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(locale.tag().parse(), Ok(locale));
        }
        assert_eq!("de".parse::<Locale>(), Err(UnknownLocale));
    }

    #[test]
    fn spans_take_their_largest_whole_unit() {
        assert_eq!(Locale::En.span(8 * 3600), "8 hours");
        assert_eq!(Locale::En.span(86_400), "1 day");
        assert_eq!(Locale::En.span(90), "90 seconds");
        assert_eq!(Locale::Fr.span(15 * 60), "15 minutes");
        assert_eq!(Locale::Fr.span(30 * 86_400), "30 jours");
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(Locale::En.user_count(1, false), "1 user");
        assert_eq!(Locale::Fr.user_count(3, false), "3 utilisateurs");
        assert_eq!(Locale::En.user_count(1000, true), "More than 1000 users");
        assert_eq!(
            Locale::Fr.signed_out_others(1),
            "1 autre session déconnectée."
        );
    }
}
