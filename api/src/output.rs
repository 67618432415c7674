//! Files of personal data the command line writes (`vigo export-subject`, `vigo extract`):
//! the destination is checked before any database work, written in a hidden owner-only (0600)
//! staging file beside it, and put in place without following a symbolic link and, unless
//! asked to, without replacing anything.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// A checked destination.
#[derive(Debug)]
pub struct Destination {
    path: PathBuf,
    overwrite: bool,
}

impl Destination {
    /// Refuses, before anything is read or recorded: a directory, a symbolic link, a file
    /// that exists (unless `overwrite`), and a folder that does not exist.
    pub fn check(path: &Path, overwrite: bool) -> anyhow::Result<Self> {
        let shown = path.display();
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        anyhow::ensure!(path.file_name().is_some(), "--out {shown}: not a file name");
        anyhow::ensure!(
            parent.is_dir(),
            "--out {shown}: the folder {} does not exist",
            parent.display()
        );
        if let Ok(found) = std::fs::symlink_metadata(path) {
            anyhow::ensure!(
                !found.file_type().is_symlink(),
                "--out {shown}: is a symbolic link; a file of personal data is never written through one"
            );
            anyhow::ensure!(!found.is_dir(), "--out {shown}: is a folder");
            anyhow::ensure!(
                overwrite,
                "--out {shown}: exists; pass --overwrite to replace it"
            );
        }
        Ok(Destination {
            path: path.to_owned(),
            overwrite,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The hidden staging file beside the destination.
    fn staging(&self) -> PathBuf {
        let mut name = std::ffi::OsString::from(".");
        name.push(self.path.file_name().unwrap_or_default());
        name.push(".partial");
        self.path.with_file_name(name)
    }

    /// Creates the staging file, owner-only, failing if anything is at its place.
    pub fn stage(&self) -> anyhow::Result<File> {
        let staging = self.staging();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))
    }

    /// Puts the staged file in place: as a new file (a link that fails if anything is there),
    /// or, with `overwrite`, replacing the file checked before.
    pub fn deliver(&self) -> anyhow::Result<()> {
        let staging = self.staging();
        let placed = if self.overwrite {
            std::fs::rename(&staging, &self.path)
        } else {
            std::fs::hard_link(&staging, &self.path).and_then(|()| std::fs::remove_file(&staging))
        };
        placed.with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Removes the staging file (after a failure): no personal data is left behind.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(self.staging());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_refused_before_anything_is_written() {
        let dir = std::env::temp_dir().join(format!("vigo-output-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let existing = dir.join("existing.json");
        std::fs::write(&existing, "kept").unwrap_or_default();
        assert!(Destination::check(&dir, false).is_err(), "a folder");
        assert!(Destination::check(&existing, false).is_err(), "exists");
        assert!(Destination::check(&dir.join("no/such/file"), false).is_err());
        #[cfg(unix)]
        {
            let link = dir.join("link.json");
            let _ = std::os::unix::fs::symlink(&existing, &link);
            assert!(
                Destination::check(&link, true).is_err(),
                "a link, even to overwrite"
            );
        }
        // A new file: staged owner-only, delivered, and the staging file is gone.
        let fresh = dir.join("fresh.json");
        let destination = Destination::check(&fresh, false).unwrap_or_else(|e| panic!("{e}"));
        std::io::Write::write_all(
            &mut destination.stage().unwrap_or_else(|e| panic!("{e}")),
            b"x",
        )
        .unwrap_or_default();
        destination.deliver().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read_to_string(&fresh).unwrap_or_default(), "x");
        assert!(!destination.staging().exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&fresh)
                .map(|m| m.permissions().mode())
                .unwrap_or(0);
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            std::fs::read_to_string(&existing).unwrap_or_default(),
            "kept"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
