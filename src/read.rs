//! Read: the inputs of a run. Finds the configs ([`discover`](crate::discover) walks the folders),
//! reads and parses them in parallel, and hands the pipeline a read-only view of the rest of the
//! disk ([`FileSystem`]) for what the configs point at: worker sources, Pages folders,
//! `package.json`. With `discover`, this is the only part of the library that reads files; the
//! same inputs can come from memory (fuzzing, property tests), where that view is a [`Memory`].

use crate::config::{self, ConfigFile};
use crate::diagnostics::{Diagnostic, SourceFile, SourceMap, codes};
use crate::discover::{self, Found};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where the configs are: files or folders given one by one, and a folder to walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputPaths {
    /// Config files (any name) or folders holding one. With no paths and no `discover`, the
    /// current folder.
    pub paths: Vec<PathBuf>,
    /// A folder in which every `wrangler.{json,jsonc,toml}` is found.
    pub discover: Option<PathBuf>,
}

/// What the pipeline may read besides the configs: read-only, and `Sync` because worker sources
/// are read in parallel.
pub trait FileSystem: Send + Sync {
    /// The text of a file (`None`: missing, unreadable or not UTF-8).
    fn read_to_string(&self, path: &Path) -> Option<String>;
    fn is_file(&self, path: &Path) -> bool;
    fn is_dir(&self, path: &Path) -> bool;
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

impl FileSystem for Disk {
    fn read_to_string(&self, path: &Path) -> Option<String> {
        String::from_utf8(read_file(path).ok()?).ok()
    }
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

/// The bytes of a file, exactly as large as the file (see [`with_file_bytes`]).
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    with_file_bytes(path, <[u8]>::to_vec)
}

/// Reads a file and hands its bytes to `take`. Small files (configs, worker modules) are read
/// into a buffer each thread keeps, which `take` copies what it keeps out of: `std::fs::read`
/// asks the file system for each file's size first, one more system call per file.
pub fn with_file_bytes<T>(path: &Path, take: impl FnOnce(&[u8]) -> T) -> std::io::Result<T> {
    with_open_file_bytes(std::fs::File::open(path)?, take)
}

/// [`with_file_bytes`] for a file already open (discovery opens configs by name in their
/// folder).
pub fn with_open_file_bytes<T>(
    mut file: std::fs::File,
    take: impl FnOnce(&[u8]) -> T,
) -> std::io::Result<T> {
    use std::io::Read as _;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    const ROOM: usize = 64 * 1024;
    BUFFER.with(|buffer| {
        let Ok(mut buffer) = buffer.try_borrow_mut() else {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            return Ok(take(&bytes));
        };
        buffer.clear();
        buffer.reserve(ROOM);
        // (`take` reads through the generic loop, which asks for no size; a file larger than the
        // room grows the buffer.)
        file.take(u64::MAX).read_to_end(&mut buffer)?;
        let kept = take(&buffer);
        if buffer.capacity() > ROOM {
            buffer.clear();
            buffer.shrink_to(ROOM);
        }
        Ok(kept)
    })
}

/// Files held in memory (absolute paths); a folder exists when a file is under it.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    files: BTreeMap<PathBuf, String>,
    dirs: BTreeSet<PathBuf>,
}

impl Memory {
    pub fn new<P: Into<PathBuf>, T: Into<String>>(
        files: impl IntoIterator<Item = (P, T)>,
    ) -> Memory {
        let mut m = Memory::default();
        for (path, text) in files {
            let path = path.into();
            m.dirs
                .extend(path.ancestors().skip(1).map(Path::to_path_buf));
            m.files.insert(path, text.into());
        }
        m
    }
}

impl FileSystem for Memory {
    fn read_to_string(&self, path: &Path) -> Option<String> {
        self.files.get(path).cloned()
    }
    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.dirs.contains(path)
    }
}

/// Everything read for one run.
pub struct Inputs {
    pub sources: SourceMap,
    /// One per config file, in sorted path order (file ids follow that order).
    pub configs: Vec<ConfigFile>,
    /// Diagnostics of finding the files (each config also carries its own).
    pub diagnostics: Vec<Diagnostic>,
    /// A file or folder could not be read, or there was nothing to read.
    pub io_failed: bool,
    /// Where the pipeline reads what the configs point at.
    pub files: Box<dyn FileSystem>,
}

impl Inputs {
    /// The same inputs with another view of the files around them.
    pub fn with_files(self, files: impl FileSystem + 'static) -> Inputs {
        Inputs {
            files: Box::new(files),
            ..self
        }
    }
}

/// Shows a path the way the user typed it, without a leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Finds, reads and parses the configs, in parallel; the pipeline then reads from the disk.
pub fn read_inputs(input: &InputPaths) -> Inputs {
    let (paths, diagnostics, mut io_failed) = config_paths(input);
    // Read and parse in parallel; file ids follow the sorted order, so output is identical to a
    // single-threaded run.
    let (files, (configs, failed)): (Vec<SourceFile>, (Vec<ConfigFile>, Vec<bool>)) = paths
        .into_par_iter()
        .enumerate()
        .map(|(i, found)| {
            let (source, config, failed) = read_one(u32::try_from(i).unwrap_or(u32::MAX), found);
            (source, (config, failed))
        })
        .unzip();
    io_failed |= failed.contains(&true);
    let sources = SourceMap { files };
    Inputs {
        sources,
        configs,
        diagnostics,
        io_failed,
        files: Box::new(Disk),
    }
}

/// The config files named by `input`, sorted and without duplicates (with what the walk read and
/// listed of those it found); the diagnostics of finding them; whether something could not be
/// read (or nothing was found).
fn config_paths(input: &InputPaths) -> (Vec<Found>, Vec<Diagnostic>, bool) {
    let mut diags = Vec::new();
    let mut io_failed = false;
    let mut paths: Vec<Found> = Vec::new();
    if let Some(dir) = &input.discover {
        let found = discover::discover(dir);
        io_failed |= found.failed;
        if found.files.is_empty() && !io_failed {
            diags.push(codes::no_configs(&display_path(dir)));
            io_failed = true;
        }
        diags.extend(found.diagnostics);
        paths.extend(found.files);
    }
    let current = [PathBuf::from(".")];
    let explicit: &[PathBuf] = if input.discover.is_none() && input.paths.is_empty() {
        &current
    } else {
        &input.paths
    };
    for p in explicit {
        match discover::explicit(p) {
            Ok(f) => paths.push(Found::unread(f)),
            Err(d) => {
                io_failed = true;
                diags.push(*d);
            }
        }
    }
    // (A walk alone gives its configs sorted, once each.)
    if !(input.discover.is_some() && input.paths.is_empty()) {
        discover::sort_paths(&mut paths);
        paths.dedup_by(|a, b| a.path == b.path);
    }
    (paths, diags, io_failed)
}

/// Reads (unless the walk did) and parses the config `found`, and the names in the `.dev.vars`
/// files beside it (those the walk listed in its folder, when it did).
fn read_one(id: u32, found: Found) -> (SourceFile, ConfigFile, bool) {
    let listed = found.dev_vars.as_ref();
    let path = &found.path;
    let shown = display_path(path);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let read = match found.bytes {
        Some(bytes) => Ok(config_from_bytes(id, shown.clone(), dir.clone(), &bytes)),
        None => with_file_bytes(path, |bytes| {
            config_from_bytes(id, shown.clone(), dir.clone(), bytes)
        }),
    };
    match read {
        Ok((source, mut config)) => {
            if config.root.is_some() {
                config.dev_vars = read_dev_vars(&dir, &config.env_names(), listed);
            }
            (source, config, false)
        }
        Err(e) => {
            let d = codes::unreadable(&shown, &e.to_string());
            (
                SourceFile::new(shown.clone(), String::new()),
                failed_config(id, &shown, dir, d),
                true,
            )
        }
    }
}

/// Decodes and parses one config file's bytes (without `.dev.vars`); the text is copied once,
/// into the source map.
fn config_from_bytes(
    id: u32,
    shown: String,
    dir: PathBuf,
    bytes: &[u8],
) -> (SourceFile, ConfigFile) {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let config = config::load(id, &shown, dir, text, BTreeMap::new());
            (SourceFile::new(shown, text), config)
        }
        Err(e) => {
            let d = codes::not_utf8(&shown, e.valid_up_to());
            (
                SourceFile::new(shown.clone(), String::new()),
                failed_config(id, &shown, dir, d),
            )
        }
    }
}

/// A config that could not be read at all: no document, one diagnostic.
fn failed_config(id: u32, shown: &str, dir: PathBuf, diagnostic: Diagnostic) -> ConfigFile {
    let mut c = config::load(id, shown, dir, "", BTreeMap::new());
    c.root = None;
    c.diagnostics = vec![diagnostic];
    c
}

/// Secret names from `.dev.vars` and `.dev.vars.<env>` beside a config: of those `listed` in its
/// folder, when the walk listed it; else each is looked for. (Looking for a file that is not
/// there costs about what reading a config costs.)
fn read_dev_vars(
    dir: &Path,
    envs: &[String],
    listed: Option<&Vec<String>>,
) -> BTreeMap<Option<String>, Vec<String>> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut out = BTreeMap::new();
    for env in std::iter::once(None).chain(envs.iter().map(Some)) {
        let name = match env {
            None => ".dev.vars".to_string(),
            Some(e) => [".dev.vars.", e].concat(),
        };
        // (A name with a separator is not in the folder's own listing.)
        let in_folder = !name.contains(['/', '\\']);
        if in_folder && listed.is_some_and(|names| !names.contains(&name)) {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(dir.join(&name)) {
            out.insert(env.cloned(), discover::dotenv_names(&text));
        }
    }
    out
}

/// Config files given as bytes: `(path, bytes)`, read as if from disk, without `.dev.vars`.
/// Nothing else is readable ([`Inputs::with_files`] gives them more).
pub fn inputs_from_memory(files: &[(String, Vec<u8>)]) -> Inputs {
    let mut files: Vec<&(String, Vec<u8>)> = files.iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sources = SourceMap::default();
    let mut configs = Vec::new();
    for (i, (path, bytes)) in files.into_iter().enumerate() {
        let id = u32::try_from(i).unwrap_or(u32::MAX);
        let dir = Path::new(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let (source, config) = config_from_bytes(id, path.clone(), dir, bytes);
        sources.files.push(source);
        configs.push(config);
    }
    Inputs {
        sources,
        configs,
        diagnostics: Vec::new(),
        io_failed: false,
        files: Box::new(Memory::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `.dev.vars` files are read when the folder's listing has them, or when there was no
    /// listing (each is looked for); a name the listing lacks is not looked for.
    #[test]
    fn dev_vars_are_read_as_the_listing_says() {
        let dir = std::env::temp_dir().join(format!("am-dev-vars-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".dev.vars"), "A=1\n").unwrap();
        std::fs::write(dir.join(".dev.vars.staging"), "B=2\n").unwrap();
        let envs = ["staging".to_string()];
        let read = |listed: Option<&[&str]>| {
            let listed: Option<Vec<String>> =
                listed.map(|l| l.iter().map(|n| n.to_string()).collect());
            read_dev_vars(&dir, &envs, listed.as_ref())
                .into_iter()
                .map(|(env, names)| format!("{env:?}={}", names.join(",")))
                .collect::<Vec<_>>()
        };
        let both = ["None=A", "Some(\"staging\")=B"];
        assert_eq!(read(None), both);
        assert_eq!(read(Some(&[".dev.vars", ".dev.vars.staging"])), both);
        assert_eq!(read(Some(&[".dev.vars"])), ["None=A"]);
        assert!(read(Some(&[])).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Small and large files, one after the other on one thread, come back whole and exact.
    #[test]
    fn files_are_read_whole() {
        let dir = std::env::temp_dir().join(format!("am-read-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sizes = [0usize, 1, 1000, 64 * 1024, 200_000, 3];
        for (k, size) in sizes.iter().enumerate() {
            let path = dir.join(format!("f{k}"));
            let bytes: Vec<u8> = (0..*size).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            let read = read_file(&path).unwrap();
            assert_eq!(read, bytes, "{size} bytes");
            assert_eq!(read.capacity(), read.len(), "{size} bytes");
        }
        assert!(read_file(&dir.join("missing")).is_err());
        assert_eq!(Disk.read_to_string(&dir.join("f2")).map(|s| s.len()), None);
        std::fs::write(dir.join("text"), "é\n").unwrap();
        assert_eq!(
            Disk.read_to_string(&dir.join("text")).as_deref(),
            Some("é\n")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn memory_has_the_folders_of_its_files() {
        let m = Memory::new([("/r/apps/web/dist/_worker.js", "export default {}")]);
        assert!(m.is_file(Path::new("/r/apps/web/dist/_worker.js")));
        assert!(!m.is_dir(Path::new("/r/apps/web/dist/_worker.js")));
        for dir in ["/r/apps/web/dist", "/r/apps", "/"] {
            assert!(m.is_dir(Path::new(dir)), "{dir}");
        }
        assert!(!m.is_dir(Path::new("/r/apps/web/functions")));
        assert_eq!(
            m.read_to_string(Path::new("/r/apps/web/dist/_worker.js"))
                .as_deref(),
            Some("export default {}")
        );
        assert_eq!(m.read_to_string(Path::new("/r/apps/x.ts")), None);
    }

    #[test]
    fn inputs_from_memory_are_in_path_order() {
        let inputs = inputs_from_memory(&[
            ("/m/b/wrangler.toml".into(), b"name = \"b\"\n".to_vec()),
            ("/m/a/wrangler.json".into(), b"{ \"name\": \"a\" }".to_vec()),
            ("/m/c/wrangler.toml".into(), vec![0xff, 0xfe]),
        ]);
        let paths: Vec<&str> = inputs
            .sources
            .files
            .iter()
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(
            paths,
            [
                "/m/a/wrangler.json",
                "/m/b/wrangler.toml",
                "/m/c/wrangler.toml"
            ]
        );
        assert!(inputs.configs[2].root.is_none(), "not UTF-8: no document");
        assert!(!inputs.io_failed);
    }
}
