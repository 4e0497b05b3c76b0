//! Builds the pages in `web/` (Vite, from the committed lock file) into `OUT_DIR` and
//! embeds every file gzip-compressed, so that a function serves exactly what was built
//! with it. Runs again only when a page's sources change (every watched path must exist:
//! cargo reruns a script whose watched path is missing on every build). `npm` must be on
//! the PATH; the packages are installed into `web/node_modules`. Type errors are caught by
//! `npm run build` in `local/lint.sh`, not here.

use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

fn main() {
    let web = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../web");
    let web = web
        .canonicalize()
        .expect("the web/ directory of the repository");
    for input in [
        "index.html",
        "admin.html",
        "docs.html",
        "src",
        "scripts",
        "package.json",
        ".npmrc",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ] {
        println!("cargo:rerun-if-changed={}", web.join(input).display());
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let dist = out.join("dist");
    // `npm ci` only when the installed packages are not the lock file's.
    let installed = web.join("node_modules/.package-lock.json");
    if modified(&installed) < modified(&web.join("package-lock.json")) {
        npm(&web, &["ci", "--no-audit", "--no-fund"]);
    }
    let dist_arg = dist.to_str().expect("a UTF-8 OUT_DIR");
    npm(
        &web,
        &[
            "exec",
            "--",
            "vite",
            "build",
            "--outDir",
            dist_arg,
            "--emptyOutDir",
        ],
    );

    // Pages and assets apart: a page's function then holds no asset (the linker drops the
    // table it does not use).
    let mut pages = String::from("pub static PAGES: &[File] = &[\n");
    let mut assets = String::from("pub static ASSETS: &[File] = &[\n");
    for (name, path) in files(&dist) {
        let gz = out.join(format!("{}.gz", name.replace('/', "_")));
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&fs::read(&path).unwrap()).unwrap();
        fs::write(&gz, encoder.finish().unwrap()).unwrap();
        let table = if name.starts_with("assets/") {
            &mut assets
        } else {
            &mut pages
        };
        table.push_str(&format!(
            "    File {{ name: {name:?}, gzipped: include_bytes!({gz:?}) }},\n"
        ));
    }
    fs::write(out.join("files.rs"), format!("{pages}];\n{assets}];\n")).unwrap();
}

/// The built files: the pages at the top, the assets under `assets/` (as `assets/x.js`).
fn files(dist: &Path) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    for dir in [dist.to_path_buf(), dist.join("assets")] {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let name = path
                    .strip_prefix(dist)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string();
                found.push((name, path));
            }
        }
    }
    found.sort();
    found
}

fn modified(path: &Path) -> std::time::SystemTime {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(std::time::UNIX_EPOCH)
}

fn npm(dir: &Path, args: &[&str]) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap_or_else(|e| panic!("npm {args:?} could not start (is Node.js installed?): {e}"));
    assert!(status.success(), "npm {args:?} failed in {}", dir.display());
}
