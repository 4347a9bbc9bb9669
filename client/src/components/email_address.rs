use yew::prelude::*;

/// An email address that, when it must wrap, wraps after the `@` or before a dot
/// (`ada@` / `school` / `.example` / `.org`) rather than in the middle of a word. A part
/// too long for the line on its own still breaks anywhere (the `.email` style).
pub fn email_address(address: &str) -> Html {
    html! {
        <span class="email">
            { for wrap_points(address).map(|(part, then_wrap)| html! {
                <>{ part }if then_wrap { <wbr /> }</>
            }) }
        </span>
    }
}

/// The address's parts, each with whether a line may wrap after it: after the `@`, and
/// before each dot of the domain.
fn wrap_points(address: &str) -> impl Iterator<Item = (&str, bool)> {
    let (local, domain) = match address.split_once('@') {
        Some((local, _)) => address.split_at(local.len() + 1),
        None => ("", address),
    };
    let mut labels = domain.match_indices('.').map(|(at, _)| at).peekable();
    let mut start = 0;
    let domain_parts = std::iter::from_fn(move || {
        if start >= domain.len() {
            return None;
        }
        let end = labels
            .next()
            .filter(|&at| at > start)
            .unwrap_or(domain.len());
        let part = &domain[start..end];
        start = end;
        Some((part, end < domain.len()))
    });
    (!local.is_empty())
        .then_some((local, !domain.is_empty()))
        .into_iter()
        .chain(domain_parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(address: &str) -> Vec<(&str, bool)> {
        wrap_points(address).collect()
    }

    #[test]
    fn wraps_after_the_at_and_before_each_dot_of_the_domain() {
        assert_eq!(
            parts("ada.lovelace@e2e.school.test"),
            [
                ("ada.lovelace@", true),
                ("e2e", true),
                (".school", true),
                (".test", false)
            ]
        );
        assert_eq!(
            parts("root@localhost"),
            [("root@", true), ("localhost", false)]
        );
        assert_eq!(parts("no-at-sign"), [("no-at-sign", false)]);
        assert_eq!(parts("odd@.dot"), [("odd@", true), (".dot", false)]);
        assert_eq!(parts("trailing@"), [("trailing@", false)]);
        assert_eq!(parts(""), Vec::<(&str, bool)>::new());
    }

    #[test]
    fn the_parts_make_the_address() {
        for address in ["a@b.c", "x.y@z", "@", "a..b@c..d", "é@ü.example"] {
            assert_eq!(
                wrap_points(address)
                    .map(|(part, _)| part)
                    .collect::<String>(),
                address
            );
        }
    }
}
