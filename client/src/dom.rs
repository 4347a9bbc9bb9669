//! Small reads of the page that forms share, and of the document's own address.

use web_sys::HtmlInputElement;
use yew::NodeRef;

/// The current text of the `<input>` behind `node`; empty when it is not mounted.
pub fn input_value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|input| input.value())
        .unwrap_or_default()
}

/// Whether this document was loaded at the address the tab shows now (not moved there by
/// the router since). Read from the navigation's performance entry; when there is none,
/// assumed so.
#[cfg(not(feature = "admin"))]
pub fn loaded_at_current_address() -> bool {
    let Some(window) = web_sys::window() else {
        return true;
    };
    let loaded_from = window
        .performance()
        .map(|performance| performance.get_entries_by_type("navigation").get(0))
        .and_then(|entry| wasm_bindgen::JsCast::dyn_into::<web_sys::PerformanceEntry>(entry).ok())
        .map(|entry| entry.name());
    match (loaded_from, window.location().href()) {
        (Some(loaded_from), Ok(current)) => loaded_from == current,
        _ => true,
    }
}

/// Loads the tab's current address again from the server.
#[cfg(not(feature = "admin"))]
pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
