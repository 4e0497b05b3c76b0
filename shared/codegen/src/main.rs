//! `cargo run -p codegen`: rewrites the files generated from `shared/endpoints/src/lib.rs`.
//! `--check`: only reports the stale ones (exit 1). `--package DIR`: writes the SAM
//! template of the zips `local/package.sh` built (each function's `CodeUri` its zip).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => codegen::write(&root).map(|written| {
            for path in &written {
                println!("codegen: wrote {path}");
            }
            println!("codegen: {} files changed", written.len());
            true
        }),
        ["--check"] => codegen::stale(&root).map(|stale| {
            for path in &stale {
                eprintln!("codegen: {path} is stale; run `cargo run -p codegen`");
            }
            stale.is_empty()
        }),
        ["--package", dir] => codegen::write_packaged(&root, &PathBuf::from(dir)).map(|path| {
            println!("codegen: wrote {}", path.display());
            true
        }),
        _ => Err("usage: codegen [--check | --package DIR]".into()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("codegen: {err}");
            ExitCode::from(2)
        }
    }
}
