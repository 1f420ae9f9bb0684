//! Builds the front-end assets Tandem serves itself.
//!
//! The GOV.UK Frontend and htmx packages come from the npm registry, pinned in
//! the repository's package-lock.json, the way crates come from theirs. If
//! they are not installed yet this runs `npm ci`, so a plain `cargo build`
//! works on a fresh checkout. The stylesheet is compiled from Sass, and every
//! asset is embedded in the binary: nothing is fetched from a CDN at run time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// (URL name, source path relative to the repository root or "OUT:" for a built file, content type).
const ASSETS: &[(&str, &str, &str)] = &[
    ("tandem.css", "OUT:tandem.css", "text/css; charset=utf-8"),
    (
        "tandem.js",
        "crates/tandem-web/assets/tandem.js",
        "text/javascript; charset=utf-8",
    ),
    (
        "favicon.svg",
        "crates/tandem-web/assets/favicon.svg",
        "image/svg+xml",
    ),
    (
        "govuk-frontend.min.js",
        "node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js",
        "text/javascript; charset=utf-8",
    ),
    (
        "htmx.min.js",
        "node_modules/htmx.org/dist/htmx.min.js",
        "text/javascript; charset=utf-8",
    ),
];

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest
        .join("../..")
        .canonicalize()
        .expect("repository root");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));

    println!(
        "cargo:rerun-if-changed={}",
        root.join("package-lock.json").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        manifest.join("assets").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        root.join("node_modules/.package-lock.json").display()
    );

    ensure_node_packages(&root);
    compile_stylesheet(&root, &manifest, &out);
    write_asset_table(&root, &out);
}

fn ensure_node_packages(root: &Path) {
    let installed = root.join("node_modules/.package-lock.json");
    let lock = root.join("package-lock.json");
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    let current = match (modified(&installed), modified(&lock)) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    };
    if current {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(root)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "`npm ci` failed ({s}); run it in {} to see why",
            root.display()
        ),
        Err(e) => panic!(
            "Tandem's front-end packages are installed with npm, which could not be run ({e}). \
             Install Node.js and npm, then build again."
        ),
    }
}

fn compile_stylesheet(root: &Path, manifest: &Path, out: &Path) {
    let output = Command::new("node")
        .arg(root.join("node_modules/sass/sass.js"))
        .arg(format!(
            "--load-path={}",
            root.join("node_modules").display()
        ))
        .args(["--style=compressed", "--no-source-map", "--quiet-deps"])
        .arg(manifest.join("assets/tandem.scss"))
        .arg(out.join("tandem.css"))
        .output()
        .expect("run the Sass compiler (node)");
    assert!(
        output.status.success(),
        "compiling tandem.scss failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// FNV-1a: a stable fingerprint of the asset bytes, so their URLs change
/// whenever their content does and browsers may cache them indefinitely.
fn fingerprint(bytes: &[u8], mut hash: u64) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn write_asset_table(root: &Path, out: &Path) {
    let mut hash = 0xcbf2_9ce4_8422_2325;
    let mut entries = String::new();
    for (name, source, content_type) in ASSETS {
        let path = match source.strip_prefix("OUT:") {
            Some(built) => out.join(built),
            None => root.join(source),
        };
        let bytes =
            fs::read(&path).unwrap_or_else(|e| panic!("asset {} is missing ({e})", path.display()));
        hash = fingerprint(&bytes, hash);
        entries.push_str(&format!(
            "    Asset {{ name: {name:?}, content_type: {content_type:?}, bytes: include_bytes!({:?}) }},\n",
            path.display().to_string()
        ));
    }
    let table = format!(
        "/// Changes whenever any asset's content changes.\n\
         pub const ASSET_VERSION: &str = \"{:012x}\";\n\n\
         pub static ASSETS: &[Asset] = &[\n{entries}];\n",
        hash & 0xffff_ffff_ffff
    );
    fs::write(out.join("assets.rs"), table).expect("write assets.rs");
}
