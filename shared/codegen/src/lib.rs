//! The files generated from the endpoint declaration (`endpoints`):
//! the function resources of `template.yaml`, the local router table in `Cargo.toml`,
//! the functions' binaries and the `events/` samples. Each is rendered whole, so a stale file is one that
//! differs from its rendering.

mod binaries;
mod events;
mod router;
mod template;

use std::path::{Path, PathBuf};

pub type Error = Box<dyn std::error::Error>;

/// One generated file: its path from the repository root and the text it must hold.
pub struct Generated {
    pub path: String,
    pub text: String,
}

/// Every generated file, rendered from the declaration and the hand-written parts
/// around the generated sections.
pub fn render(root: &Path) -> Result<Vec<Generated>, Error> {
    let mut files = vec![
        Generated {
            path: "template.yaml".into(),
            text: template::render(&read(root, "template.yaml")?, false)?,
        },
        Generated {
            path: "Cargo.toml".into(),
            text: router::render(&read(root, "Cargo.toml")?)?,
        },
    ];
    for endpoint in endpoints::ENDPOINTS {
        let path = format!("events/{}.json", endpoint.name);
        let current = std::fs::read_to_string(root.join(&path)).ok();
        let text =
            events::render(endpoint, current.as_deref()).map_err(|e| format!("{path}: {e}"))?;
        files.push(Generated { path, text });
        files.push(Generated {
            path: binaries::path(endpoint),
            text: binaries::render(endpoint)?,
        });
    }
    Ok(files)
}

/// The generated files whose content on disk differs from their rendering, and sample
/// events of functions that are no longer declared.
pub fn stale(root: &Path) -> Result<Vec<String>, Error> {
    let mut stale: Vec<String> = render(root)?
        .into_iter()
        .filter(|file| {
            std::fs::read_to_string(root.join(&file.path))
                .ok()
                .as_deref()
                != Some(&file.text)
        })
        .map(|file| file.path)
        .collect();
    stale.extend(undeclared(root)?);
    Ok(stale)
}

/// Writes every generated file that changed and deletes the samples of functions no
/// longer declared; answers the paths it touched.
pub fn write(root: &Path) -> Result<Vec<String>, Error> {
    let mut touched = Vec::new();
    for file in render(root)? {
        let path = root.join(&file.path);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(&file.text) {
            std::fs::write(&path, &file.text)?;
            touched.push(file.path);
        }
    }
    for path in undeclared(root)? {
        std::fs::remove_file(root.join(&path))?;
        touched.push(path);
    }
    Ok(touched)
}

/// `DIR/template.yaml`: the template with each function's code the zip at
/// `DIR/<function>/bootstrap.zip`, for `sam deploy` of exactly those artifacts.
pub fn write_packaged(root: &Path, dir: &Path) -> Result<PathBuf, Error> {
    let missing: Vec<&str> = endpoints::ENDPOINTS
        .iter()
        .map(|e| e.name)
        .filter(|name| !dir.join(name).join("bootstrap.zip").exists())
        .collect();
    if !missing.is_empty() {
        return Err(format!("no zip for {}", missing.join(", ")).into());
    }
    let path = dir.join("template.yaml");
    std::fs::write(
        &path,
        template::render(&read(root, "template.yaml")?, true)?,
    )?;
    Ok(path)
}

fn read(root: &Path, path: &str) -> Result<String, Error> {
    std::fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}").into())
}

/// Sample events and generated binaries of functions no longer declared.
fn undeclared(root: &Path) -> Result<Vec<String>, Error> {
    let mut undeclared = Vec::new();
    for package in std::fs::read_dir(root.join("functions"))? {
        let bin = package?.path().join("src/bin");
        for entry in std::fs::read_dir(&bin).into_iter().flatten() {
            let path = entry?.path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            if text.starts_with(binaries::HEADER) && endpoints::named(&stem).is_none() {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                undeclared.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    for entry in std::fs::read_dir(root.join("events"))? {
        let name = entry?.file_name().to_string_lossy().to_string();
        let declared = name
            .strip_suffix(".json")
            .is_some_and(|stem| endpoints::named(stem).is_some());
        if !declared {
            undeclared.push(format!("events/{name}"));
        }
    }
    undeclared.sort();
    Ok(undeclared)
}

/// Replaces the text between the `begin` and `end` marker lines (kept) with `body`.
fn replace_section(text: &str, begin: &str, end: &str, body: &str) -> Result<String, Error> {
    let start = text
        .find(begin)
        .ok_or_else(|| format!("marker not found: {begin}"))?
        + begin.len();
    let start = start + text[start..].find('\n').ok_or("marker line not ended")? + 1;
    let stop = start
        + text[start..]
            .find(end)
            .ok_or_else(|| format!("marker not found: {end}"))?;
    let stop = text[..stop].rfind('\n').map_or(stop, |i| i + 1);
    Ok(format!("{}{}{}", &text[..start], body, &text[stop..]))
}

/// `customers_health_status` → `CustomersHealthStatus`.
pub fn camel(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_replaced_between_their_markers() {
        let text = "head\n# begin x\nold\nold\n  # end x\ntail\n";
        let replaced = replace_section(text, "# begin x", "# end x", "new\n").unwrap();
        assert_eq!(replaced, "head\n# begin x\nnew\n  # end x\ntail\n");
        assert!(replace_section(text, "# nope", "# end x", "").is_err());
    }

    #[test]
    fn names_become_logical_ids() {
        assert_eq!(camel("customers_health_status"), "CustomersHealthStatus");
        assert_eq!(camel("login"), "Login");
    }
}
