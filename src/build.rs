//! Packs the knowledge base in `src/data/*.toml` into one compact string per file, which
//! `knowledge::Packed` unpacks on first use: the program carries no TOML parser and no
//! tables of pointers (which cost the page far more than the strings). `sources` and
//! `refusal` fields document the data for people and are left out. Also refuses to build when the German
//! and English texts do not have exactly the same keys.
//!
//! The packed form, one value after another: `s` text NUL (a string), `t` / `f` (true,
//! false), `w` strings joined by U+001F NUL (a list of strings, in the page only),
//! `[` values `]` (a list), `{` key NUL value … `}` (a table).

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;
use toml::Value;

/// Fields for people reading the data, which the program never uses.
const DOCUMENTATION: [&str; 2] = ["sources", "refusal"];

fn main() {
    let dir = Path::new("src/data");
    println!("cargo:rerun-if-changed=src/data");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("src/data exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    // The page joins each list of strings into one (smaller); natively the lists stay
    // lists, which are faster to go through.
    let joined = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    let mut out = String::new();
    let mut parsed = Vec::new();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let src = std::fs::read_to_string(path).expect("readable data file");
        let value: Value =
            toml::from_str(&src).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_")
            .to_uppercase();
        writeln!(out, "/// Compiled from `{}`.", path.display()).unwrap();
        let mut packed = String::new();
        pack(&value, joined, &mut packed);
        writeln!(out, "pub static {name}: Packed = Packed::new({packed:?});").unwrap();
        parsed.push((name, value));
    }
    let find = |n: &str| parsed.iter().find(|(name, _)| name == n).map(|(_, v)| v);
    if let (Some(de), Some(en)) = (find("TEXTS_DE"), find("TEXTS_EN")) {
        let (mut kd, mut ke) = (BTreeSet::new(), BTreeSet::new());
        keys(de, "", &mut kd);
        keys(en, "", &mut ke);
        let only_de: Vec<_> = kd.difference(&ke).collect();
        let only_en: Vec<_> = ke.difference(&kd).collect();
        assert!(
            only_de.is_empty() && only_en.is_empty(),
            "text keys differ: only in German {only_de:?}, only in English {only_en:?}"
        );
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("data.rs");
    std::fs::write(dest, out).expect("writable OUT_DIR");
}

fn keys(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    if let Value::Table(t) = v {
        for (k, v) in t {
            let path = format!("{prefix}.{k}");
            out.insert(path.clone());
            keys(v, &path, out);
        }
    }
}

fn pack(v: &Value, joined: bool, out: &mut String) {
    let text = |s: &str, out: &mut String| {
        assert!(!s.contains('\0'), "a string in src/data holds NUL");
        out.push_str(s);
        out.push('\0');
    };
    match v {
        Value::String(s) => {
            out.push('s');
            text(s, out);
        }
        // (No numbers: the knowledge base has none.)
        Value::Integer(_) | Value::Float(_) => panic!("numbers are not supported in src/data"),
        Value::Boolean(b) => out.push(if *b { 't' } else { 'f' }),
        Value::Datetime(d) => {
            out.push('s');
            text(&d.to_string(), out);
        }
        // A list of strings is one joined string in the page (see `Data::Words`).
        Value::Array(a) if joined && !a.is_empty() && a.iter().all(Value::is_str) => {
            let words: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            assert!(
                words.iter().all(|w| !w.contains('\u{1f}')),
                "a string in src/data holds the word separator U+001F"
            );
            out.push('w');
            text(&words.join("\u{1f}"), out);
        }
        Value::Array(a) => {
            out.push('[');
            a.iter().for_each(|x| pack(x, joined, out));
            out.push(']');
        }
        Value::Table(t) => {
            out.push('{');
            for (k, v) in t
                .iter()
                .filter(|(k, _)| !DOCUMENTATION.contains(&k.as_str()))
            {
                assert!(!k.starts_with('}'), "a key in src/data starts with '}}'");
                text(k, out);
                pack(v, joined, out);
            }
            out.push('}');
        }
    }
}
