//! An alert's life: open → acknowledged → resolved (by a person, or by Cairn when the
//! condition clears), and the kinds of events that record each step.

/// Where an alert stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlertState {
    Open,
    Acknowledged,
    Resolved,
}

impl AlertState {
    pub const ALL: [AlertState; 3] =
        [AlertState::Open, AlertState::Acknowledged, AlertState::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<AlertState> {
        AlertState::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What happened to an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    Opened,
    /// The rule saw it again while it was unresolved (`count` grew).
    Repeated,
    /// It repeated past its rule's threshold and became more severe.
    Escalated,
    Acknowledged,
    Snoozed,
    Resolved,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        EventKind::Opened,
        EventKind::Repeated,
        EventKind::Escalated,
        EventKind::Acknowledged,
        EventKind::Snoozed,
        EventKind::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::Repeated => "repeated",
            EventKind::Escalated => "escalated",
            EventKind::Acknowledged => "acknowledged",
            EventKind::Snoozed => "snoozed",
            EventKind::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|v| v.as_str() == s)
    }
}
