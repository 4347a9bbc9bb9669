use yew::prelude::*;

/// Handle from [`use_pages`]: the cursor of the page on screen and the way back.
#[derive(Clone, PartialEq)]
pub struct UsePagesHandle {
    /// Cursor of every page visited since the last reset; the last one is on screen.
    /// The first page has no cursor.
    visited: UseStateHandle<Vec<Option<String>>>,
}

impl UsePagesHandle {
    /// The cursor to ask the server for the page on screen.
    pub fn cursor(&self) -> Option<String> {
        self.visited.last().cloned().flatten()
    }

    /// 1 for the first page.
    pub fn number(&self) -> usize {
        self.visited.len()
    }

    pub fn has_previous(&self) -> bool {
        self.visited.len() > 1
    }

    /// Moves to the page after this one, named by the server's `next_cursor`.
    pub fn next(&self, cursor: String) {
        let mut visited = (*self.visited).clone();
        visited.push(Some(cursor));
        self.visited.set(visited);
    }

    pub fn previous(&self) {
        let mut visited = (*self.visited).clone();
        if visited.len() > 1 {
            visited.pop();
        }
        self.visited.set(visited);
    }

    /// Back to the first page, for a new search or filter.
    pub fn reset(&self) {
        self.visited.set(vec![None]);
    }
}

/// Cursor pagination state for a list the server pages with `next_cursor`. Cursors are
/// one-way, so the way back is remembered here.
#[hook]
pub fn use_pages() -> UsePagesHandle {
    UsePagesHandle {
        visited: use_state(|| vec![None]),
    }
}
