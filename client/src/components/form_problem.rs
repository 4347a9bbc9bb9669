//! What went wrong with a form, said where the user can act on it: a problem of one
//! field under that field (which takes the focus, is marked invalid and described by
//! the message), anything else in a banner.

use web_sys::HtmlElement;
use yew::prelude::*;

use crate::api::ApiError;
use crate::i18n::{Locale, Text};

/// A field of a form that can be said to be wrong.
pub trait FormField: Copy + PartialEq {
    /// The id of the message under the field, for `aria-describedby`.
    fn error_id(self) -> &'static str;
}

#[derive(Debug, Clone, PartialEq)]
pub enum FormProblem<F> {
    /// Said under its field.
    Field(F, Text),
    /// The server's refusal, said in a banner.
    Server(ApiError),
}

impl<F: FormField> FormProblem<F> {
    /// Whether this problem belongs under `field`.
    pub fn is_on(problem: Option<&Self>, field: F) -> bool {
        matches!(problem, Some(Self::Field(at, _)) if *at == field)
    }

    /// The message under `field`, when the problem is there.
    pub fn under(problem: Option<&Self>, locale: Locale, field: F) -> Html {
        match problem {
            Some(Self::Field(at, text)) if *at == field => html! {
                <p class="field-error" id={field.error_id()} role="alert">{ locale.text(*text) }</p>
            },
            _ => html! {},
        }
    }

    /// `aria-describedby` of `field`: its message while the problem is there.
    pub fn described(problem: Option<&Self>, field: F) -> Option<&'static str> {
        Self::is_on(problem, field).then(|| field.error_id())
    }
}

/// Puts the keyboard focus on the element behind `node`, if it is mounted.
pub fn focus(node: &NodeRef) {
    if let Some(element) = node.cast::<HtmlElement>() {
        let _ = element.focus();
    }
}
