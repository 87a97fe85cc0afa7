//! Integration tests of the library: content import, the answer engine, the menus and the
//! console, all in one test binary (one link step, one shared helper module).

mod helpers;
mod hostile;

mod architecture;
mod cards;
mod checks;
mod cli;
mod console;
mod crash;
mod fairness;
mod fake_api;
mod fake_tap;
mod faults;
mod import;
mod lookup;
mod menus;
mod notices;
mod open;
mod ops;
mod outage;
mod queries;
mod reports;
mod search;
mod soak;
mod tap;
mod telegram;
mod votes;
