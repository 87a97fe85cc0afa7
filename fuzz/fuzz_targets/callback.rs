//! The callback decoder, deep-link payloads and command parsing never panic, and whatever
//! they accept round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lidzdaliba_bot::engine::{Action, command};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(action) = Action::decode(text) {
        assert_eq!(action.encode(), text);
        assert!(action.encode().len() <= 64);
    }
    if let Some(action) = Action::from_payload(text) {
        assert_eq!(action.payload(), text);
    }
    let _ = command::parse(text, Some("lidzdaliba_bot"));
});
