//! The layering rule of `src/lib.rs`: a module uses only modules of the layers below its own.
//! Every `crate::` path in `src/` (in `use` lines and inline, in tests too; not in comments
//! or strings)
//! is checked against `lidzdaliba_bot::LAYERS`; a path that points up or sideways fails the
//! test with its file and line.

use std::path::{Path, PathBuf};

use lidzdaliba_bot::{INNER_LAYERS, LAYERS};

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

// ---- inside a module: the layers of its own modules ------------------------------------------

/// One path into the crate (`crate::…` or `super::…`), resolved to its absolute segments
/// (without `crate`), with its line.
#[derive(Debug, PartialEq, Eq)]
struct Path_ {
    line: usize,
    segments: Vec<String>,
}

/// Every `crate::` and `super::` path in `source`, a file of the module `module` (its
/// segments from the crate root: `["engine", "screens", "lessons"]`), with `use` groups
/// expanded; `super` inside an inline `mod x { … }` (a test module) counts from there. Paths
/// in a visibility (`pub(in crate::engine)`) are no imports and are left out.
fn crate_paths(module: &[&str], source: &str) -> Vec<Path_> {
    let code = code_only(source);
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    // The inline modules open at each offset: `mod name {` pushes, its `}` pops.
    let mut depth_at = vec![0usize; code.len() + 1];
    let mut braces: Vec<bool> = Vec::new();
    let mut inline = 0;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'{' => {
                let before = code[..i].trim_end();
                let name_start = before.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_');
                let opens = name_start.len() < before.len()
                    && name_start.trim_end().ends_with("mod")
                    && !name_start.trim_end()[..name_start.trim_end().len() - 3]
                        .ends_with(|c: char| c.is_alphanumeric() || c == '_');
                braces.push(opens);
                inline += usize::from(opens);
            }
            b'}' => inline -= usize::from(braces.pop().unwrap_or(false)),
            _ => {}
        }
        depth_at[i + 1] = inline;
    }
    let mut paths = Vec::new();
    for start in (0..code.len()).filter(|&i| code.is_char_boundary(i)) {
        let rest = &code[start..];
        let root = if rest.starts_with("crate::") {
            "crate"
        } else if rest.starts_with("super::") {
            "super"
        } else {
            continue;
        };
        let before = code[..start].trim_end();
        if start > 0 && (is_ident(bytes[start - 1]) || bytes[start - 1] == b'$')
            || before.ends_with("::")
            || before.ends_with("(in")
        {
            continue;
        }
        let mut base: Vec<String> = Vec::new();
        let mut tail = rest;
        if root == "crate" {
            tail = &tail["crate::".len()..];
        } else {
            let mut own: Vec<&str> = module.to_vec();
            own.extend(std::iter::repeat_n("(inline)", depth_at[start]));
            while let Some(after) = tail.strip_prefix("super::") {
                own.pop();
                tail = after.trim_start();
            }
            base = own.iter().map(|s| s.to_string()).collect();
        }
        let line = code[..start].matches('\n').count() + 1;
        for segments in expand(base, tail) {
            paths.push(Path_ { line, segments });
        }
    }
    paths
}

/// The paths of the use tree at the start of `text` (after `crate::` or `super::`), each
/// after `prefix`: `a::{b, c::d}` gives `prefix::a::b` and `prefix::a::c::d`.
fn expand(prefix: Vec<String>, text: &str) -> Vec<Vec<String>> {
    let text = text.trim_start();
    if let Some(group) = text.strip_prefix('{') {
        let mut out = Vec::new();
        let (mut depth, mut item) = (0usize, 0usize);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth > 0 => depth -= 1,
                ',' | '}' if depth == 0 => {
                    let part = group[item..i].trim();
                    if !part.is_empty() && part != "self" && part != "*" {
                        out.extend(expand(prefix.clone(), part));
                    } else if part == "self" || part == "*" {
                        out.push(prefix.clone());
                    }
                    if c == '}' {
                        break;
                    }
                    item = i + 1;
                }
                _ => {}
            }
        }
        return out;
    }
    let name: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let mut path = prefix;
    if name.is_empty() || name == "self" {
        return vec![path];
    }
    path.push(name.clone());
    match text[name.len()..].trim_start().strip_prefix("::") {
        Some(more) => expand(path, more),
        None => vec![path],
    }
}

/// The violations of the inner layers `layers` of the top-level module `top` by `source`, a
/// file of `module` (its segments, `top` first): `line: what`. The module's root file
/// (`mod.rs`) stands above every layer; a path to an item of the root (a re-export too)
/// points up to it.
fn inner_violations(top: &str, layers: &[&[&str]], module: &[&str], source: &str) -> Vec<String> {
    let layer_of = |name: &str| layers.iter().position(|l| l.contains(&name));
    let Some(own) = module.get(1) else {
        return Vec::new();
    };
    let Some(own_layer) = layer_of(own) else {
        return vec![format!("1: '{top}::{own}' is in no layer of its table")];
    };
    let mut found = Vec::new();
    for Path_ { line, segments } in crate_paths(module, source) {
        if segments.first().map(String::as_str) != Some(top) {
            continue;
        }
        match segments.get(1).map(String::as_str) {
            Some(used) if used == *own => {}
            Some(used) if layer_of(used).is_some() => {
                let other = layer_of(used).unwrap_or_default();
                if other >= own_layer {
                    found.push(format!(
                        "{line}: {top}::{used} (layer {other}) is {} '{top}::{own}' (layer {own_layer})",
                        if other == own_layer { "beside" } else { "above" }
                    ));
                }
            }
            item => found.push(format!(
                "{line}: {top}::{} is in {top}'s root, above '{top}::{own}'",
                item.unwrap_or("")
            )),
        }
    }
    found
}

/// Upward paths inside a module that are known and still to be removed (file, used module):
/// two circles in `bot` (`intake` ↔ `moves`, `send` ↔ `unchanged`). The test fails when one
/// of them is gone, so that this list only shrinks.
const KNOWN_UPWARD: &[(&str, &str)] = &[
    ("src/bot/moves.rs", "bot::intake"),
    ("src/bot/unchanged.rs", "bot::send"),
];

#[test]
fn every_module_inside_a_layered_module_uses_only_the_layers_below_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    for (top, layers) in INNER_LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(top), &mut files);
        files.sort();
        assert!(files.len() > 5, "only {} files in src/{top}", files.len());
        let mut declared = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(&src).unwrap();
            let mut module: Vec<&str> = relative
                .iter()
                .map(|c| c.to_str().unwrap().trim_end_matches(".rs"))
                .collect();
            if module.last() == Some(&"mod") {
                module.pop();
            }
            if let Some(inner) = module.get(1) {
                declared.push(inner.to_string());
            }
            let source = std::fs::read_to_string(file).unwrap();
            for problem in inner_violations(top, layers, &module, &source) {
                problems.push(format!("src/{}:{problem}", relative.display()));
            }
        }
        for name in layers.iter().flat_map(|l| l.iter()) {
            assert!(
                declared.iter().any(|d| d == name),
                "{top}: no module '{name}'"
            );
        }
    }
    for (file, used) in KNOWN_UPWARD {
        let known =
            |p: &String| p.starts_with(&format!("{file}:")) && p.contains(&format!(" {used} "));
        assert!(
            problems.iter().any(known),
            "{file} no longer points up at {used}: take it off KNOWN_UPWARD"
        );
        problems.retain(|p| !known(p));
    }
    assert!(
        problems.is_empty(),
        "imports against the inner layers of src/lib.rs INNER_LAYERS:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_inner_checker_resolves_super_and_groups_and_sees_the_root() {
    let source = r#"use super::action::Action;
use crate::engine::{reply::{Button, Reply}, Engine, router};
pub(in crate::engine) fn f() {}
fn g() { let _ = super::super::lang::Lang::Lv; }
#[cfg(test)]
mod tests {
    use super::*;
    use super::super::router::X;
}
"#;
    let module = ["engine", "screens", "lessons"];
    let paths: Vec<(usize, String)> = crate_paths(&module, source)
        .into_iter()
        .map(|p| (p.line, p.segments.join("::")))
        .collect();
    assert_eq!(
        paths,
        vec![
            (1, "engine::screens::action::Action".to_string()),
            (2, "engine::reply::Button".to_string()),
            (2, "engine::reply::Reply".to_string()),
            (2, "engine::Engine".to_string()),
            (2, "engine::router".to_string()),
            (4, "engine::lang::Lang::Lv".to_string()),
            (7, "engine::screens::lessons".to_string()),
            (8, "engine::screens::router::X".to_string()),
        ]
    );
    let layers: &[&[&str]] = &[&["reply"], &["screens"], &["router"]];
    let found = inner_violations("engine", layers, &module, source);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].starts_with("2: engine::Engine is in engine's root"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("2: engine::router (layer 2) is above"),
        "{found:?}"
    );
    assert!(
        found[2].starts_with("4: engine::lang is in engine's root"),
        "{found:?}"
    );
    assert!(inner_violations("engine", layers, &["engine"], source).is_empty());
}
