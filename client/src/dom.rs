//! Small reads of the page that forms share.

use web_sys::HtmlInputElement;
use yew::NodeRef;

/// The current text of the `<input>` behind `node`; empty when it is not mounted.
pub fn input_value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|input| input.value())
        .unwrap_or_default()
}
