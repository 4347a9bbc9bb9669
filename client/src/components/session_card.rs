use chrono::{DateTime, Utc};
use hallpass_shared::SessionId;
use hallpass_shared::SessionView;
use yew::prelude::*;

use crate::components::{SessionNameForm, device_icon, moment};
use crate::i18n::{Text, use_locale};
use crate::places::place;
use crate::platform::{label, platform};
use crate::time::{relative_future, relative_past};

#[derive(Properties, PartialEq)]
pub struct SessionCardProps {
    pub session: SessionView,
    /// The instant relative times are measured from.
    pub now: DateTime<Utc>,
    /// Revokes the session; no revoke button when absent.
    #[prop_or_default]
    pub on_revoke: Option<Callback<SessionId>>,
    /// Names the session (its owner only); no rename button when absent.
    #[prop_or_default]
    pub on_rename: Option<Callback<(SessionId, String)>>,
    /// An action on this list is in flight: buttons wait.
    #[prop_or_default]
    pub busy: bool,
}

/// One session: its name (or browser and OS), device, where and when it started, when it
/// was last active and ends, a "New device" mark for a sign-in from a device the account
/// had not used, a rename form, and a revoke button that asks for confirmation in place.
#[component]
pub fn SessionCard(props: &SessionCardProps) -> Html {
    let locale = use_locale();
    let confirming = use_state(|| false);
    let session = &props.session;
    let ask = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(true))
    };
    let cancel = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(false))
    };
    let revoke = props.on_revoke.clone().map(|on_revoke| {
        let id = session.id;
        let confirming = confirming.clone();
        Callback::from(move |_| {
            confirming.set(false);
            on_revoke.emit(id);
        })
    });
    let title = label(locale, session);
    let platform = platform(session);
    let rename = props.on_rename.clone().map(|on_rename| {
        let id = session.id;
        on_rename.reform(move |name: String| (id, name))
    });

    html! {
        <li class={classes!("session-card", session.is_current.then_some("current"))}
            data-session-id={session.id.to_string()}>
            { device_icon(session.device) }
            <div class="session-facts">
                <h3>
                    { &title }
                    if session.is_current {
                        <span class="badge this-device">{ locale.text(Text::ThisDevice) }</span>
                    }
                    if session.new_device {
                        <span class="badge new-device">{ locale.text(Text::NewDevice) }</span>
                    }
                    if session.shared_device {
                        <span class="badge shared-device">{ locale.text(Text::SharedComputerBadge) }</span>
                    }
                </h3>
                if let (Some(_), Some(platform)) = (&session.name, &platform) {
                    <p class="session-platform">{ platform }</p>
                }
                <dl>
                    <dt>{ locale.text(Text::Device) }</dt><dd>{ locale.device(session.device) }</dd>
                    if let Some(location) = &session.location {
                        <dt>{ locale.text(Text::Location) }</dt>
                        <dd class="session-location">{ place(locale, location) }</dd>
                    }
                    <dt>{ locale.text(Text::IpAddress) }</dt><dd>{ &session.ip_address }</dd>
                    <dt>{ locale.text(Text::Created) }</dt>
                    <dd>{ moment(locale, session.created, relative_past(locale, props.now, session.created)) }</dd>
                    <dt>{ locale.text(Text::LastActive) }</dt>
                    <dd>{ moment(locale, session.last_seen_at, relative_past(locale, props.now, session.last_seen_at)) }</dd>
                    <dt>{ locale.text(Text::Expires) }</dt>
                    <dd>{ moment(locale, session.expires_at, relative_future(locale, props.now, session.expires_at)) }</dd>
                </dl>
                if let Some(rename) = rename {
                    <SessionNameForm session_id={session.id} name={session.name.clone()} on_save={rename} busy={props.busy}
                        label={title.clone()} />
                }
            </div>
            if let Some(revoke) = revoke {
                <div class="session-actions">
                    if *confirming {
                        <span role="alert">{ locale.text(Text::ConfirmRevoke) }</span>
                        <button class="danger" onclick={revoke} disabled={props.busy}>{ locale.text(Text::YesRevoke) }</button>
                        <button class="secondary" onclick={cancel}>{ locale.text(Text::Cancel) }</button>
                    } else {
                        <button class="secondary" onclick={ask} disabled={props.busy}
                            aria-label={format!("{} {}", locale.text(Text::Revoke), title)}>
                            { locale.text(Text::Revoke) }
                        </button>
                    }
                </div>
            }
        </li>
    }
}
