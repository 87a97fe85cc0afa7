//! The layering rule of `src/lib.rs`: a module uses only modules of the layers below its own.
//! Every `crate::` path in `src/` (in `use` lines and inline, in tests too; not in comments
//! or strings)
//! is checked against `lidzdaliba_bot::LAYERS`; a path that points up or sideways fails the
//! test with its file and line.

use std::path::{Path, PathBuf};

use lidzdaliba_bot::LAYERS;

/// One `crate::<module>` path: where it is and which top-level module it names.
#[derive(Debug, PartialEq, Eq)]
struct Use {
    line: usize,
    module: String,
}

/// The layer of a top-level module, if it has one.
fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// `text` with comments and the insides of string and character literals blanked out (line
/// breaks kept, so line numbers stay right): a path in a comment or a string is no import.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, span: &[char]| {
        out.extend(span.iter().map(|c| if *c == '\n' { '\n' } else { ' ' }));
    };
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let end = if c == '/' && next == Some('/') {
            (i..chars.len())
                .find(|&j| chars[j] == '\n')
                .unwrap_or(chars.len())
        } else if c == '/' && next == Some('*') {
            (i + 2..chars.len())
                .find(|&j| chars[j] == '*' && chars.get(j + 1) == Some(&'/'))
                .map_or(chars.len(), |j| j + 2)
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && (i == 0 || !is_ident(chars[i - 1]) || chars[i - 1] == 'b')
        {
            // A raw string r"…" or r#"…"#: it ends at a quote followed by as many #.
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            let open = i + 1 + hashes;
            if chars.get(open) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.push_str("r\"");
            let close = (open + 1..chars.len())
                .find(|&j| {
                    chars[j] == '"'
                        && chars[j + 1..].iter().take_while(|c| **c == '#').count() >= hashes
                })
                .unwrap_or(chars.len());
            blank(&mut out, &chars[open + 1..close]);
            i = (close + 1 + hashes).min(chars.len());
            continue;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            out.push('"');
            blank(&mut out, &chars[i + 1..j.min(chars.len())]);
            i = j + 1;
            continue;
        } else if c == '\'' && next == Some('\\') {
            (i + 2..chars.len())
                .find(|&j| chars[j] == '\'')
                .map_or(chars.len(), |j| j + 1)
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i + 3
        } else {
            out.push(c);
            i += 1;
            continue;
        };
        blank(&mut out, &chars[i..end]);
        i = end;
    }
    out
}

/// Every top-level module that a `crate::` path in `source` names, with its line.
fn crate_uses(source: &str) -> Vec<Use> {
    let code = code_only(source);
    let line_of = |offset: usize| code[..offset].matches('\n').count() + 1;
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut uses = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let after = code[at + "crate::".len()..].trim_start();
        if let Some(group) = after.strip_prefix('{') {
            // `crate::{a::X, b}`: the first name of each item at the top of the group.
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        let name = ident(&group[i..]);
                        if !name.is_empty() && name != "self" {
                            uses.push(Use {
                                line: line_of(at),
                                module: name,
                            });
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(after);
            if !name.is_empty() {
                uses.push(Use {
                    line: line_of(at),
                    module: name,
                });
            }
        }
    }
    uses
}

/// The violations of the rule by `source`, a file of `module`: `line: what`.
fn violations(module: &str, source: &str) -> Vec<String> {
    let Some(own) = layer(module) else {
        return vec![format!("1: module '{module}' is in no layer of LAYERS")];
    };
    let mut found = Vec::new();
    for Use { line, module: used } in crate_uses(source) {
        if used == module {
            continue;
        }
        match layer(&used) {
            Some(other) if other < own => {}
            Some(other) => found.push(format!(
                "{line}: crate::{used} (layer {other}) is {} '{module}' (layer {own})",
                if other == own { "beside" } else { "above" }
            )),
            None => found.push(format!("{line}: crate::{used} is in no layer of LAYERS")),
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_the_layers_below_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_str().unwrap().trim_end_matches(".rs");
        // The crate root declares the modules; main.rs and its cli/ are the binary on top of
        // everything (they name the library as `lidzdaliba_bot::`, never as `crate::`).
        if module == "lib" || module == "main" || module == "cli" {
            continue;
        }
        let source = std::fs::read_to_string(file).unwrap();
        for problem in violations(module, &source) {
            problems.push(format!("src/{}:{problem}", relative.display()));
        }
        checked += 1;
    }
    assert!(checked > 30, "only {checked} files were read from {src:?}");
    assert!(
        problems.is_empty(),
        "imports against the layers of src/lib.rs:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_module_of_the_crate_is_in_exactly_one_layer() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(declared.len() >= 14, "{declared:?}");
    let placed: Vec<&str> = LAYERS.iter().flat_map(|l| l.iter().copied()).collect();
    for module in &declared {
        let times = placed.iter().filter(|p| *p == module).count();
        assert_eq!(times, 1, "'{module}' is in {times} layers");
    }
    for module in &placed {
        assert!(
            declared.contains(module),
            "LAYERS names '{module}', no module"
        );
    }
}

/// The checker itself finds what it must and nothing else.
#[test]
fn the_checker_sees_upward_and_sideways_paths_and_skips_comments_and_strings() {
    let source = r##"//! Uses [`crate::engine::Engine`] in a comment only.
use crate::lang::Lang;
use crate::{fold, engine::{Action, i18n}};
/* crate::bot in a block comment */
fn f() -> &'static str {
    let _ = crate::clock::unix_now(); // crate::app in a trailing comment
    let _ = crate::links::collect;
    let _ = ('"', '\'', "a \"crate::app\" b", r#"crate::bot "quoted""#);
    let _ = crate::x::y;
    "https://example.lv/crate::app"
}
"##;
    let uses = crate_uses(source);
    let modules: Vec<(usize, &str)> = uses.iter().map(|u| (u.line, u.module.as_str())).collect();
    assert_eq!(
        modules,
        vec![
            (2, "lang"),
            (3, "fold"),
            (3, "engine"),
            (6, "clock"),
            (7, "links"),
            (9, "x")
        ]
    );
    let found = violations("store", source);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("3: crate::engine"), "{found:?}");
    assert!(found[0].contains("above 'store'"), "{found:?}");
    assert!(found[1].starts_with("7: crate::links"), "{found:?}");
    assert!(found[1].contains("beside 'store'"), "{found:?}");
    assert!(
        found[2].starts_with("9: crate::x is in no layer"),
        "{found:?}"
    );
    assert!(violations("engine", "use crate::store::Store;").is_empty());
    assert_eq!(violations("nowhere", "").len(), 1);
}
