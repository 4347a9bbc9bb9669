//! The Policies page of the admin console: one card per role with its session lifetime,
//! idle timeout and limit of sessions per person, in humane units, saying what a change
//! would do before it is saved.

mod draft;
mod policy_card;
mod words;

use hallpass_shared::RolePolicyView;
use yew::prelude::*;

use policy_card::PolicyCard;

use crate::api;
use crate::components::{error_banner, spinner};
use crate::hooks::{Load, use_load};
use crate::i18n::{Text, use_locale};

/// Every role's policy, each changed on its own card; the outcome of the last save is
/// said in one status line.
#[component]
pub fn PoliciesPage() -> Html {
    let locale = use_locale();
    let policies = use_load((), |()| async {
        api::admin::policies().await.map(|list| list.policies)
    });
    let saved = use_state(|| None::<RolePolicyView>);
    let on_saved = {
        let (saved, policies) = (saved.clone(), policies.clone());
        Callback::from(move |policy: RolePolicyView| {
            saved.set(Some(policy));
            policies.reload();
        })
    };
    let cards = match &*policies {
        Load::Loading => spinner(locale),
        Load::Failed(error) => error_banner(locale, error, Text::ActionFailed),
        Load::Ready(policies) => html! {
            <div class="policy-grid">
                { for policies.iter().map(|policy| html! {
                    <PolicyCard key={policy.role.as_str()} policy={*policy} on_saved={on_saved.clone()} />
                }) }
            </div>
        },
    };
    html! {
        <>
            <h1>{ locale.text(Text::PoliciesTitle) }</h1>
            <p class="hint">{ locale.text(Text::PoliciesHint) }</p>
            { cards }
            <p class="admin-status" role="status" aria-live="polite">
                if let Some(policy) = &*saved {
                    <span class="banner ok">{ locale.policy_saved(policy.role) }</span>
                }
            </p>
        </>
    }
}
