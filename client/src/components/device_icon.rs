use hallpass_shared::DeviceKind;
use yew::prelude::*;

/// A small outline picture of the device kind; decorative, the card says it in words.
pub fn device_icon(device: DeviceKind) -> Html {
    let shape = match device {
        DeviceKind::Computer => html! {
            <>
                <rect x="3" y="4" width="18" height="12" rx="1.5" />
                <path d="M8 20h8M12 16v4" />
            </>
        },
        DeviceKind::Smartphone | DeviceKind::MobilePhone => html! {
            <>
                <rect x="7" y="2.5" width="10" height="19" rx="2" />
                <path d="M11 18.5h2" />
            </>
        },
        _ => html! {
            <>
                <circle cx="12" cy="12" r="9" />
                <path d="M3 12h18M12 3c2.8 3 2.8 15 0 18M12 3c-2.8 3-2.8 15 0 18" />
            </>
        },
    };
    html! {
        <svg class="device-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            { shape }
        </svg>
    }
}
