//! Emit: turns a [`crate::plan::Program`] into files. [`alchemy_v1`] writes the Alchemy 0.94
//! program, [`env_types`] the env type modules; [`report`] writes `MIGRATION.md` and
//! `.env.example`.
//! Pure: returns file contents, the CLI writes them.

pub mod alchemy_v1;
pub mod env_types;
pub mod report;
pub mod stages;
pub mod ts;

/// Exact versions the generated program is written and tested against.
pub const ALCHEMY_VERSION: &str = "0.94.0";
pub const WORKERS_TYPES_VERSION: &str = "5.20261117.1";
pub const TYPESCRIPT_VERSION: &str = "7.0.2";

/// One generated file, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: Contents,
}

/// A generated file's text, kept in the pieces it was made of: the program of a large monorepo
/// (each worker's declaration a piece) is written out piece by piece, never copied into one
/// string first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents(Vec<String>);

impl Contents {
    /// The text made of `pieces`, in order.
    pub fn pieces(pieces: Vec<String>) -> Contents {
        Contents(pieces)
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.0.iter().map(String::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(String::is_empty)
    }

    /// The pieces, in order.
    pub fn as_pieces(&self) -> &[String] {
        &self.0
    }

    /// The whole text (borrowed when it is one piece): for a diff, or a test.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self.0.as_slice() {
            [] => "".into(),
            [one] => one.as_str().into(),
            many => many.concat().into(),
        }
    }

    /// Whether the text is exactly `bytes` (compared piece by piece).
    pub fn is(&self, bytes: &[u8]) -> bool {
        pieces_are(bytes, &self.0)
    }
}

/// Whether `bytes` are exactly the text of `pieces`, one after the other.
pub fn pieces_are<S: AsRef<str>>(bytes: &[u8], pieces: &[S]) -> bool {
    let mut rest = bytes;
    for piece in pieces {
        match rest.strip_prefix(piece.as_ref().as_bytes()) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}

impl From<String> for Contents {
    fn from(text: String) -> Contents {
        Contents(vec![text])
    }
}

impl std::fmt::Display for Contents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|piece| f.write_str(piece))
    }
}

#[cfg(test)]
mod tests {
    use super::Contents;

    /// A text in pieces measures, prints and compares as the text they make.
    #[test]
    fn contents_in_pieces_are_their_text() {
        let pieces = Contents::pieces(vec!["ab".into(), String::new(), "c\n".into()]);
        assert_eq!(pieces.len(), 4);
        assert_eq!(pieces.text(), "abc\n");
        assert_eq!(pieces.to_string(), "abc\n");
        assert!(pieces.is(b"abc\n"));
        for other in [&b"abc"[..], b"abc\nd", b"abd\n", b""] {
            assert!(!pieces.is(other), "{other:?}");
        }
        let one = Contents::from("x".to_string());
        assert!(matches!(one.text(), std::borrow::Cow::Borrowed("x")));
        assert!(Contents::default().is(b"") && Contents::default().is_empty());
    }
}
