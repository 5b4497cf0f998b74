//! A one-line progress counter on stderr, shown only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Shortest time between two redraws.
const REDRAW_INTERVAL: Duration = Duration::from_millis(100);

/// Redraws one status line in place.
pub struct Progress {
    enabled: bool,
    last_draw: Option<Instant>,
    width: usize,
}

impl Progress {
    /// Creates a counter that draws only if stderr is a terminal.
    pub fn new() -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            last_draw: None,
            width: 0,
        }
    }

    /// Shows `text` in place of the previous line, at most every [`REDRAW_INTERVAL`].
    pub fn show(&mut self, text: &str) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if self
            .last_draw
            .is_some_and(|last| now.duration_since(last) < REDRAW_INTERVAL)
        {
            return;
        }
        self.last_draw = Some(now);
        let padding = self.width.saturating_sub(text.chars().count());
        self.width = text.chars().count();
        let mut stderr = std::io::stderr();
        let _ = write!(stderr, "\r{text}{}", " ".repeat(padding));
        let _ = stderr.flush();
    }

    /// Erases the line.
    pub fn finish(&mut self) {
        if !self.enabled || self.last_draw.is_none() {
            return;
        }
        let mut stderr = std::io::stderr();
        let _ = write!(stderr, "\r{}\r", " ".repeat(self.width));
        let _ = stderr.flush();
        self.last_draw = None;
        self.width = 0;
    }
}
