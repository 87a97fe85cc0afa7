//! The content parser never panics: any bytes, cut into the content files (`FILES`), give
//! content or a list of problems.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lidzdaliba_bot::content::{FILES, Snapshot};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1}');
    let files = FILES
        .iter()
        .map(|name| (name.to_string(), parts.next().unwrap_or("").to_string()))
        .collect();
    let snapshot = Snapshot::from_files(files).expect("the files of FILES, in its order");
    if let Err(errors) = snapshot.parse() {
        assert!(!errors.0.is_empty());
        for problem in &errors.0 {
            assert!(problem.line >= 1);
        }
    }
});
