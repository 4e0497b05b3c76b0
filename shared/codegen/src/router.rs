//! The local API gateway's route table (`cargo lambda watch` reads it from
//! `[workspace.metadata.lambda.watch.router]` in `Cargo.toml`): the declared HTTP routes
//! (with HEAD beside each public GET), grouped by path in declaration order.

use crate::{replace_section, Error};
use endpoints::ENDPOINTS;
use std::fmt::Write;

pub const BEGIN: &str =
    "# ---- The local router: generated from shared/endpoints/src/lib.rs by `cargo run -p codegen`";
pub const END: &str = "# ---- End of the generated router";

pub fn render(manifest: &str) -> Result<String, Error> {
    let mut paths: Vec<(&str, Vec<String>)> = Vec::new();
    for endpoint in ENDPOINTS {
        for (method, path) in endpoint.routes() {
            let entry = format!(
                "{{ method = \"{}\", function = \"{}\" }}",
                method.as_str(),
                endpoint.name
            );
            match paths.iter_mut().find(|(p, _)| *p == path) {
                Some((_, entries)) => entries.push(entry),
                None => paths.push((path, vec![entry])),
            }
        }
    }
    let mut table = String::from("[workspace.metadata.lambda.watch.router]\n");
    for (path, entries) in paths {
        let _ = writeln!(table, "\"{path}\" = [{}]", entries.join(", "));
    }
    replace_section(manifest, BEGIN, END, &table)
}
