//! One role's policy as a form: the lifetime, the idle timeout (on or off) and the limit
//! of sessions per person; what saving would do is asked of the server as the admin
//! types and said before they save.

use gloo_timers::future::TimeoutFuture;
use hallpass_shared::{PolicySettings, RolePolicyView};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::draft::{Draft, Field, Span, Unit};
use crate::api::{self, ApiError};
use crate::components::{FormField, FormProblem, error_banner, focus};
use crate::hooks::{Load, use_load};
use crate::i18n::{Locale, Text, use_locale};

/// How long typing must pause before the effect of the draft is asked for.
const EFFECT_AFTER_MS: u32 = 300;

#[derive(Properties, PartialEq)]
pub struct PolicyCardProps {
    pub policy: RolePolicyView,
    /// Told with the policy as stored once it is saved.
    pub on_saved: Callback<RolePolicyView>,
}

impl FormField for Field {
    fn error_id(self) -> &'static str {
        match self {
            Self::Lifetime => "policy-lifetime-error",
            Self::Idle => "policy-idle-error",
            Self::MaxSessions => "policy-max-error",
        }
    }
}

type Problem = FormProblem<Field>;

#[component]
pub fn PolicyCard(props: &PolicyCardProps) -> Html {
    let locale = use_locale();
    let policy = props.policy;
    let role = policy.role;
    let draft = use_state(|| Draft::of(&policy));
    let problem = use_state(|| None::<Problem>);
    // Save was pressed with nothing changed: said where the effect would be.
    let unchanged = use_state(|| false);
    let sending = use_state(|| false);
    let (lifetime_ref, idle_ref, max_ref) = (use_node_ref(), use_node_ref(), use_node_ref());
    // The stored policy changed (saved here, or elsewhere): the form starts from it.
    {
        let draft = draft.clone();
        use_effect_with(policy, move |policy| draft.set(Draft::of(policy)));
    }
    // Only a valid draft that differs from the stored policy has an effect worth saying.
    let wanted = draft
        .settings()
        .ok()
        .filter(|wanted| *wanted != policy.settings());
    let effect = use_load(wanted, move |wanted| async move {
        let Some(wanted) = wanted else {
            return Ok(None);
        };
        TimeoutFuture::new(EFFECT_AFTER_MS).await;
        let effect = api::admin::policy_effect(role, wanted).await?;
        Ok::<_, ApiError>(Some((wanted, effect)))
    });

    let edit = |change: fn(&mut Draft, String)| {
        let (draft, problem, unchanged) = (draft.clone(), problem.clone(), unchanged.clone());
        Callback::from(move |value: String| {
            let mut next = (*draft).clone();
            change(&mut next, value);
            draft.set(next);
            problem.set(None);
            unchanged.set(false);
        })
    };
    let on_submit = {
        let (draft, problem, sending) = (draft.clone(), problem.clone(), sending.clone());
        let unchanged = unchanged.clone();
        let fields = [
            (Field::Lifetime, lifetime_ref.clone()),
            (Field::Idle, idle_ref.clone()),
            (Field::MaxSessions, max_ref.clone()),
        ];
        let on_saved = props.on_saved.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if *sending {
                return;
            }
            let settings = match draft.settings() {
                Ok(settings) => settings,
                Err((field, text)) => {
                    if let Some((_, node)) = fields.iter().find(|(at, _)| *at == field) {
                        focus(node);
                    }
                    problem.set(Some(Problem::Field(field, text)));
                    return;
                }
            };
            if settings == policy.settings() {
                unchanged.set(true);
                return;
            }
            save(role, settings, &sending, &problem, &on_saved);
        })
    };

    let problem_now = (*problem).as_ref();
    let under = |field| Problem::under(problem_now, locale, field);
    let invalid = |field| Problem::is_on(problem_now, field).to_string();
    let described = |field| Problem::described(problem_now, field);
    let heading = format!("policy-{role}");
    let said = match &*effect {
        _ if *unchanged => locale.text(Text::PolicyUnchanged).to_owned(),
        Load::Ready(Some((wanted, effect))) => locale.policy_effect(role, *wanted, *effect),
        _ => String::new(),
    };
    html! {
        <section class="card policy" aria-labelledby={heading.clone()}>
            <div class="card-head">
                <h2 id={heading}>{ capitalized(locale.role_people(role)) }</h2>
                if policy.is_default {
                    <span class="badge">{ locale.text(Text::PolicyDefault) }</span>
                }
            </div>
            <form class="policy-form" onsubmit={on_submit} novalidate=true>
                { span_field(locale, Text::PolicyLifetime, &draft.lifetime, lifetime_ref,
                    edit(|draft, count| draft.lifetime.count = count),
                    edit(|draft, unit| set_unit(&mut draft.lifetime, &unit)),
                    invalid(Field::Lifetime), described(Field::Lifetime)) }
                { under(Field::Lifetime) }
                <label class="check">
                    <input type="checkbox" checked={draft.idle_on}
                        onchange={checked(edit(|draft, on| draft.idle_on = on == "true"))} />
                    { locale.text(Text::PolicyIdleOn) }
                </label>
                if draft.idle_on {
                    { span_field(locale, Text::PolicyIdle, &draft.idle, idle_ref,
                        edit(|draft, count| draft.idle.count = count),
                        edit(|draft, unit| set_unit(&mut draft.idle, &unit)),
                        invalid(Field::Idle), described(Field::Idle)) }
                    { under(Field::Idle) }
                }
                <label class="policy-max">{ locale.text(Text::PolicyMaxSessions) }
                    <input ref={max_ref} type="number" inputmode="numeric" min="1" max="1000"
                        value={draft.max_sessions.clone()}
                        oninput={typed(edit(|draft, max| draft.max_sessions = max))}
                        aria-invalid={invalid(Field::MaxSessions)}
                        aria-describedby={described(Field::MaxSessions)} />
                </label>
                { under(Field::MaxSessions) }
                <p class="policy-effect" role="status" aria-live="polite">{ said }</p>
                // Never disabled: a disabled button would drop the keyboard focus.
                <button type="submit" aria-busy={sending.to_string()}>{ locale.text(Text::Save) }</button>
            </form>
            if let Some(Problem::Server(error)) = problem_now {
                { error_banner(locale, error, Text::ActionFailed) }
            }
        </section>
    }
}

/// Sends the policy; the page is told once it is stored, a refusal is said on the card.
/// (A password too old to change a policy is asked for by the dialog `api` opens.)
fn save(
    role: hallpass_shared::Role,
    settings: PolicySettings,
    sending: &UseStateHandle<bool>,
    problem: &UseStateHandle<Option<Problem>>,
    on_saved: &Callback<RolePolicyView>,
) {
    let (sending, problem, on_saved) = (sending.clone(), problem.clone(), on_saved.clone());
    sending.set(true);
    wasm_bindgen_futures::spawn_local(async move {
        match api::admin::set_policy(role, &settings).await {
            Ok(stored) => {
                problem.set(None);
                on_saved.emit(stored);
            }
            Err(error) => problem.set(Some(Problem::Server(error))),
        }
        sending.set(false);
    });
}

/// A duration: its number and its unit, under one legend.
#[allow(
    clippy::too_many_arguments,
    reason = "one field's parts, named where they are used"
)]
fn span_field(
    locale: Locale,
    legend: Text,
    span: &Span,
    count_ref: NodeRef,
    on_count: Callback<String>,
    on_unit: Callback<String>,
    invalid: String,
    described: Option<&'static str>,
) -> Html {
    let options = Unit::offered(span.unit).into_iter().map(|unit| html! {
        <option value={unit.tag()} selected={unit == span.unit}>{ locale.text(unit.name()) }</option>
    });
    html! {
        <fieldset class="policy-span">
            <legend>{ locale.text(legend) }</legend>
            <input ref={count_ref} type="number" inputmode="numeric" min="1"
                aria-label={locale.text(legend)} value={span.count.clone()}
                oninput={typed(on_count)} aria-invalid={invalid} aria-describedby={described} />
            <select aria-label={locale.text(Text::Unit)} onchange={chosen(on_unit)}>
                { for options }
            </select>
        </fieldset>
    }
}

/// "students" as a heading: "Students".
fn capitalized(word: &str) -> String {
    let mut letters = word.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

fn set_unit(span: &mut Span, tag: &str) {
    if let Some(unit) = Unit::from_tag(tag) {
        span.unit = unit;
    }
}

/// The text of an input, as it is typed.
fn typed(on_value: Callback<String>) -> Callback<InputEvent> {
    Callback::from(move |event: InputEvent| {
        if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
            on_value.emit(input.value());
        }
    })
}

/// The value of a `<select>`, once chosen.
fn chosen(on_value: Callback<String>) -> Callback<Event> {
    Callback::from(move |event: Event| {
        if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
            on_value.emit(select.value());
        }
    })
}

/// A checkbox's state, as `"true"` or `"false"`.
fn checked(on_value: Callback<String>) -> Callback<Event> {
    Callback::from(move |event: Event| {
        if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
            on_value.emit(input.checked().to_string());
        }
    })
}
