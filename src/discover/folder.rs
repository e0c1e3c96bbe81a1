//! One folder of the walk: its entries and the files read in it. On Linux the folder is held
//! open while its entries are listed (`getdents64`) and opened by name relative to it (`openat`):
//! the system then looks up one name instead of every folder of the path again, and a listing
//! allocates nothing per entry (at 10,000 workers, the walk and the reading of the configs take a
//! third less time). Elsewhere, and past [`OPEN_BUDGET`] folders held open at once, by path
//! through `std::fs`. Files are read as `read` reads every file (`read::with_open_file_bytes`).

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::PathBuf;

/// What an entry is (a symlink is never followed: it is `Other`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Dir,
    File,
    Other,
}

/// An entry of a folder.
pub(super) struct Entry {
    pub name: OsString,
    pub kind: Kind,
    /// Its name starts with `.` (on Windows, or it is marked hidden).
    pub hidden: bool,
}

fn dotted(name: &OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

/// A folder being walked.
pub(super) struct Folder {
    pub path: PathBuf,
    #[cfg(target_os = "linux")]
    held: Option<linux::Held>,
}

/// At most this many folders are held open at once (each one until its last subfolder is opened
/// through it); past it, folders are listed by path. Far below the usual limit of 1,024 open
/// files: a walk goes about as deep as the tree, and its threads hold a few each.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(super) const OPEN_BUDGET: usize = 256;

impl Folder {
    /// Opens the folder at `path`; through `parent` (its parent, already open) when there is one.
    /// (The path comes back with the error.)
    pub fn open(path: PathBuf, parent: Option<&Folder>) -> Result<Folder, (PathBuf, io::Error)> {
        #[cfg(target_os = "linux")]
        {
            match linux::Held::open(&path, parent.and_then(|p| p.held.as_ref())) {
                Ok(held) => Ok(Folder { path, held }),
                Err(e) => Err((path, e)),
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = parent;
            Ok(Folder { path })
        }
    }

    /// The folder's entries with their kinds; what cannot be read is reported in `errors` as the
    /// walk reports it (`<path>: <error>`).
    pub fn entries(&self, errors: &mut Vec<String>) -> Vec<Entry> {
        #[cfg(target_os = "linux")]
        if let Some(held) = &self.held {
            return held.entries(&self.path, errors);
        }
        by_path::entries(&self.path, errors)
    }

    /// The bytes of the file `name` in the folder.
    pub fn read(&self, name: &OsStr) -> io::Result<Vec<u8>> {
        #[cfg(target_os = "linux")]
        if let Some(held) = &self.held {
            return held.read(name);
        }
        crate::read::read_file(&self.path.join(name))
    }
}

/// Through `std::fs`, by path.
mod by_path {
    use super::{Entry, Kind, dotted};
    use std::path::Path;

    pub(super) fn entries(dir: &Path, errors: &mut Vec<String>) -> Vec<Entry> {
        let listing = match std::fs::read_dir(dir) {
            Ok(listing) => listing,
            Err(e) => {
                errors.push(format!("{}: {e}", dir.display()));
                return Vec::new();
            }
        };
        let mut entries = Vec::new();
        for e in listing {
            let e = match e {
                Ok(e) => e,
                Err(e) => {
                    errors.push(format!("{}: {e}", dir.display()));
                    continue;
                }
            };
            let kind = match e.file_type() {
                Ok(t) if t.is_dir() => Kind::Dir,
                Ok(t) if t.is_file() => Kind::File,
                Ok(_) => Kind::Other,
                Err(err) => {
                    errors.push(format!("{}: {err}", e.path().display()));
                    continue;
                }
            };
            let name = e.file_name();
            let hidden = dotted(&name) || marked_hidden(&e);
            entries.push(Entry { name, kind, hidden });
        }
        entries
    }

    /// Whether Windows marks the entry hidden.
    #[cfg(windows)]
    fn marked_hidden(e: &std::fs::DirEntry) -> bool {
        use std::os::windows::fs::MetadataExt as _;
        const FILE_ATTRIBUTE_HIDDEN: u32 = 0x2;
        e.metadata()
            .is_ok_and(|m| m.file_attributes() & FILE_ATTRIBUTE_HIDDEN != 0)
    }

    #[cfg(not(windows))]
    fn marked_hidden(_: &std::fs::DirEntry) -> bool {
        false
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::{Entry, Kind, OPEN_BUDGET, dotted};
    use rustix::fd::OwnedFd;
    use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir};
    use std::ffi::OsStr;
    use std::io;
    use std::mem::MaybeUninit;
    use std::os::unix::ffi::OsStrExt as _;
    use std::path::Path;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Folders held open now, across the walk's threads.
    static HELD: AtomicUsize = AtomicUsize::new(0);

    /// An open folder, counted in [`HELD`] while it is open.
    pub(super) struct Held(OwnedFd);

    impl Drop for Held {
        fn drop(&mut self) {
            HELD.fetch_sub(1, Ordering::Relaxed);
        }
    }

    impl Held {
        /// `None` when the budget of open folders is spent (the folder is then read by path).
        pub(super) fn open(path: &Path, parent: Option<&Held>) -> io::Result<Option<Held>> {
            if HELD.fetch_add(1, Ordering::Relaxed) >= OPEN_BUDGET {
                HELD.fetch_sub(1, Ordering::Relaxed);
                return Ok(None);
            }
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let opened = match (parent, path.file_name()) {
                (Some(p), Some(name)) => {
                    rustix::fs::openat(&p.0, name, flags | OFlags::NOFOLLOW, Mode::empty())
                }
                _ => rustix::fs::open(path, flags, Mode::empty()),
            };
            match opened {
                Ok(fd) => Ok(Some(Held(fd))),
                Err(e) => {
                    HELD.fetch_sub(1, Ordering::Relaxed);
                    Err(e.into())
                }
            }
        }

        pub(super) fn entries(&self, dir: &Path, errors: &mut Vec<String>) -> Vec<Entry> {
            let mut buf = [MaybeUninit::<u8>::uninit(); 16 * 1024];
            let mut listing = RawDir::new(&self.0, &mut buf);
            let mut entries = Vec::new();
            while let Some(e) = listing.next() {
                let e = match e {
                    Ok(e) => e,
                    Err(e) => {
                        errors.push(format!("{}: {}", dir.display(), io::Error::from(e)));
                        break;
                    }
                };
                let name = OsStr::from_bytes(e.file_name().to_bytes());
                if name == "." || name == ".." {
                    continue;
                }
                match self.kind(e.file_type(), name) {
                    Ok(kind) => entries.push(Entry {
                        name: name.to_os_string(),
                        kind,
                        hidden: dotted(name),
                    }),
                    Err(err) => errors.push(format!("{}: {err}", dir.join(name).display())),
                }
            }
            entries
        }

        /// The kind the listing gives; asked of the file system when it gives none.
        fn kind(&self, listed: FileType, name: &OsStr) -> io::Result<Kind> {
            let t = if listed == FileType::Unknown {
                let stat = rustix::fs::statat(&self.0, name, AtFlags::SYMLINK_NOFOLLOW)?;
                FileType::from_raw_mode(stat.st_mode)
            } else {
                listed
            };
            Ok(match t {
                FileType::Directory => Kind::Dir,
                FileType::RegularFile => Kind::File,
                _ => Kind::Other,
            })
        }

        pub(super) fn read(&self, name: &OsStr) -> io::Result<Vec<u8>> {
            let fd = rustix::fs::openat(
                &self.0,
                name,
                OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            crate::read::with_open_file_bytes(fd.into(), <[u8]>::to_vec)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "alchemy-migrator-folder-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn listed(folder: &Folder) -> Vec<(OsString, Kind, bool)> {
        let mut errors = Vec::new();
        let mut entries: Vec<_> = folder
            .entries(&mut errors)
            .into_iter()
            .map(|e| (e.name, e.kind, e.hidden))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(errors.is_empty(), "{errors:?}");
        entries
    }

    /// Held open or listed by path (past the budget), a folder lists the same entries, kinds
    /// (a symlink is not followed) and hidden names, and reads the same bytes.
    #[test]
    fn folders_list_and_read_alike_held_open_or_by_path() {
        let root = scratch("alike");
        std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        std::fs::write(root.join("wrangler.toml"), "name = \"a\"\n").unwrap();
        std::fs::write(root.join(".dev.vars"), "A=1\n").unwrap();
        std::fs::write(root.join("sub/wrangler.json"), vec![b'x'; 10_000]).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("sub"), root.join("link")).unwrap();
        let expected = vec![
            (OsString::from(".dev.vars"), Kind::File, true),
            (OsString::from(".hidden"), Kind::Dir, true),
            #[cfg(unix)]
            (OsString::from("link"), Kind::Other, false),
            (OsString::from("sub"), Kind::Dir, false),
            (OsString::from("wrangler.toml"), Kind::File, false),
        ];
        // More folders open at once than the budget: the last ones are read by path.
        let open: Vec<Folder> = (0..OPEN_BUDGET + 2)
            .map(|_| Folder::open(root.clone(), None).unwrap())
            .collect();
        for folder in [&open[0], &open[OPEN_BUDGET + 1]] {
            assert_eq!(listed(folder), expected);
            let sub = Folder::open(root.join("sub"), Some(folder)).unwrap();
            assert_eq!(
                listed(&sub),
                [
                    (OsString::from("deeper"), Kind::Dir, false),
                    (OsString::from("wrangler.json"), Kind::File, false)
                ]
            );
            assert_eq!(
                sub.read(OsStr::new("wrangler.json")).unwrap(),
                vec![b'x'; 10_000]
            );
            assert_eq!(
                folder.read(OsStr::new("wrangler.toml")).unwrap(),
                b"name = \"a\"\n"
            );
            assert!(folder.read(OsStr::new("absent")).is_err());
        }
        #[cfg(target_os = "linux")]
        {
            assert!(open[0].held.is_some());
            assert!(open[OPEN_BUDGET + 1].held.is_none(), "past the budget");
        }
        drop(open);
        let missing = Folder::open(root.join("absent"), None).map(|f| {
            let mut errors = Vec::new();
            f.entries(&mut errors);
            errors
        });
        let _ = std::fs::remove_dir_all(&root);
        match missing {
            Err((path, _)) => assert_eq!(path, root.join("absent")),
            Ok(errors) => assert_eq!(errors.len(), 1, "listing a missing folder fails"),
        }
    }
}
