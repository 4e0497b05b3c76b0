//! The binary of every function, `functions/<package>/src/bin/<name>.rs`: the `main` of
//! its kind (`runtime::function!` for a route, `scheduled!`, `stream!`) around the
//! handler its declaration names, formatted by rustfmt.

use crate::Error;
use endpoints::{Endpoint, Trigger};
use std::io::Write;
use std::process::{Command, Stdio};

/// The first line of every generated binary: how `stale` tells them from the hand-written
/// operator commands beside them.
pub const HEADER: &str =
    "// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.";

pub fn path(endpoint: &Endpoint) -> String {
    format!(
        "functions/{}/src/bin/{}.rs",
        endpoint.service.package(),
        endpoint.name
    )
}

pub fn render(endpoint: &Endpoint) -> Result<String, Error> {
    if endpoint.handler.is_empty() {
        return Err(format!("{} declares no handler", endpoint.name).into());
    }
    let main = match endpoint.trigger {
        Trigger::Http(..) | Trigger::Unrouted => "function",
        Trigger::Schedule(_) => "scheduled",
        Trigger::Stream(_) => "stream",
    };
    rustfmt(&format!(
        "{HEADER}\nruntime::{main}!({});\n",
        endpoint.handler
    ))
}

/// The text as `cargo fmt` leaves it, so that formatting the tree never makes it stale.
fn rustfmt(text: &str) -> Result<String, Error> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("rustfmt: {e}"))?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(text.as_bytes())?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(format!("rustfmt refused a binary:\n{text}").into());
    }
    Ok(String::from_utf8(output.stdout)?)
}
