//! The vocabulary shared by readers and writers: the columns a file layout expects, the
//! language headers are written in, the two file formats and the limits on what is read.

/// One column of a file layout. `key` is the stable field name (e.g. "credit_code").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Stable field name; also accepted as a header when reading.
    pub key: &'static str,
    /// Chinese header.
    pub zh: &'static str,
    /// English header.
    pub en: &'static str,
    /// A file without this column is refused as a whole.
    pub required: bool,
    /// What to fill in, shown in the template's notes sheet (Chinese).
    pub note_zh: &'static str,
    /// What to fill in, shown in the template's notes sheet (English).
    pub note_en: &'static str,
}

impl ColumnSpec {
    /// The header in `lang`.
    pub fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }

    /// The note in `lang`.
    pub fn note(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.note_zh,
            Lang::En => self.note_en,
        }
    }
}

/// The language headers, titles and notes are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// "zh" or "en".
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Accepts "zh", "en" and region or script variants such as "zh-CN", "zh_Hans" or
    /// "en-US", in any case, since they come from Accept-Language headers and cookies.
    pub fn parse(input: &str) -> Option<Lang> {
        let primary = input.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::Zh)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// The two formats read and written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    /// The format named by a file's extension, in any case; `None` for anything else,
    /// including the old binary `.xls`, which is not read.
    pub fn from_file_name(name: &str) -> Option<FileFormat> {
        let (_, extension) = name.trim().rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "csv" | "txt" | "tsv" => Some(FileFormat::Csv),
            "xlsx" | "xlsm" => Some(FileFormat::Xlsx),
            _ => None,
        }
    }

    /// Guesses from the content: an XLSX file is a zip archive, anything else is
    /// treated as text. Browsers and users get file names wrong often enough that the
    /// bytes are the better witness.
    pub fn sniff(bytes: &[u8]) -> FileFormat {
        if bytes.starts_with(b"PK\x03\x04") { FileFormat::Xlsx } else { FileFormat::Csv }
    }

    /// The file extension without a dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }

    /// The MIME type for downloads.
    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Csv => "text/csv; charset=utf-8",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Bounds on what a reader accepts, so one upload cannot exhaust the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest file, in bytes (compressed size for XLSX).
    pub max_bytes: usize,
    /// The most data rows (header and empty rows do not count).
    pub max_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_bytes: 64 * 1024 * 1024, max_rows: 1_000_000 }
    }
}

/// A [`ColumnSpec`] in one line: key, Chinese and English headers, required, notes.
macro_rules! column {
    ($key:literal, $zh:literal, $en:literal, $required:literal, $note_zh:literal, $note_en:literal) => {
        $crate::ColumnSpec { key: $key, zh: $zh, en: $en, required: $required, note_zh: $note_zh, note_en: $note_en }
    };
}

pub(crate) use column;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_from_tags() {
        assert_eq!(Lang::parse("zh"), Some(Lang::Zh));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("ZH_hans"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse(" en-US "), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::Zh.code(), "zh");
        assert_eq!(Lang::En.code(), "en");
    }

    #[test]
    fn formats_from_names_and_bytes() {
        assert_eq!(FileFormat::from_file_name("x.XLSX"), Some(FileFormat::Xlsx));
        assert_eq!(FileFormat::from_file_name("企业名单.csv"), Some(FileFormat::Csv));
        assert_eq!(FileFormat::from_file_name("old.xls"), None);
        assert_eq!(FileFormat::from_file_name("xlsx"), None);
        assert_eq!(FileFormat::sniff(b"PK\x03\x04rest"), FileFormat::Xlsx);
        assert_eq!(FileFormat::sniff(b"a,b\r\n"), FileFormat::Csv);
        assert_eq!(FileFormat::sniff(b""), FileFormat::Csv);
        assert_eq!(FileFormat::Xlsx.extension(), "xlsx");
        assert!(FileFormat::Csv.content_type().starts_with("text/csv"));
    }

    #[test]
    fn default_limits() {
        assert_eq!(Limits::default(), Limits { max_bytes: 64 << 20, max_rows: 1_000_000 });
    }
}
