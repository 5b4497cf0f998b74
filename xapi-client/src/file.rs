//! File replies: operations whose success body is a file (recordings, greetings, backups,
//! exports) return a byte stream; [`Download`] adds the content type and the file name the
//! server sent in `Content-Disposition`.

use futures::TryStreamExt;

use crate::{ByteStream, ResponseValue};

/// A file reply with its metadata.
#[non_exhaustive]
pub struct Download {
    /// `Content-Type` of the reply, if the server sent one.
    pub content_type: Option<String>,
    /// File name from `Content-Disposition` (`filename*` preferred over `filename`), if any.
    /// It is the server's text: use [`safe_file_name`] before writing it to disk.
    pub file_name: Option<String>,
    /// The body, read as it arrives.
    pub stream: ByteStream,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("content_type", &self.content_type)
            .field("file_name", &self.file_name)
            .finish_non_exhaustive()
    }
}

impl Download {
    /// Takes the metadata from the reply's headers.
    pub fn new(response: ResponseValue<ByteStream>) -> Self {
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let file_name = header(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|value| content_disposition_file_name(&value));
        Download {
            content_type,
            file_name,
            stream: response.into_inner(),
        }
    }

    /// Reads the whole body into memory.
    pub async fn bytes(self) -> Result<Vec<u8>, reqwest::Error> {
        let mut stream = self.stream.into_inner();
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.try_next().await? {
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

/// Reads the file name from a `Content-Disposition` header value.
///
/// `filename*` (RFC 6266 / RFC 8187, `UTF-8''name%20with%20spaces`) wins over `filename`; a
/// quoted `filename` may contain `;` and `\"`.
pub fn content_disposition_file_name(value: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for (name, raw) in parameters(value) {
        if name.eq_ignore_ascii_case("filename*") {
            extended = decode_extended_value(&raw);
        } else if name.eq_ignore_ascii_case("filename") {
            plain = Some(raw);
        }
    }
    extended.or(plain).filter(|name| !name.is_empty())
}

/// Splits `attachment; a=b; c="d;e"` into `(a, b)`, `(c, d;e)`.
fn parameters(value: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = match value.find(';') {
        Some(index) => &value[index + 1..],
        None => return found,
    };
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        let Some(equals) = rest.find('=') else {
            break;
        };
        let name = rest[..equals].trim().to_owned();
        rest = rest[equals + 1..].trim_start();
        let parsed_value = if let Some(quoted) = rest.strip_prefix('"') {
            let mut text = String::new();
            let mut characters = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((index, character)) = characters.next() {
                match character {
                    '\\' => {
                        if let Some((_, escaped)) = characters.next() {
                            text.push(escaped);
                        }
                    }
                    '"' => {
                        end = index + 1;
                        break;
                    }
                    other => text.push(other),
                }
            }
            rest = &quoted[end.min(quoted.len())..];
            text
        } else {
            let end = rest.find(';').unwrap_or(rest.len());
            let text = rest[..end].trim().to_owned();
            rest = &rest[end..];
            text
        };
        found.push((name, parsed_value));
    }
    found
}

/// Decodes `UTF-8''na%C3%AFve.txt` (charset, optional language, percent-encoded bytes).
fn decode_extended_value(raw: &str) -> Option<String> {
    let mut parts = raw.splitn(3, '\'');
    let charset = parts.next()?;
    let _language = parts.next()?;
    let encoded = parts.next()?;
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut input = encoded.bytes();
    while let Some(byte) = input.next() {
        if byte == b'%' {
            let high = input.next()?;
            let low = input.next()?;
            let hex = [high, low];
            let text = std::str::from_utf8(&hex).ok()?;
            bytes.push(u8::from_str_radix(text, 16).ok()?);
        } else {
            bytes.push(byte);
        }
    }
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else {
        // ISO-8859-1, the only other charset RFC 8187 requires: each byte is one code point.
        Some(bytes.into_iter().map(char::from).collect())
    }
}

/// Returns a name safe to create in a directory: the last path component of `name`, without
/// control characters, and never `.`, `..` or empty.
pub fn safe_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|character| !character.is_control())
        .collect();
    let cleaned = cleaned.trim().to_owned();
    match cleaned.as_str() {
        "" | "." | ".." => None,
        _ => Some(cleaned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_quoted_file_names() {
        let cases = [
            ("attachment; filename=a.wav", Some("a.wav")),
            (
                "attachment; filename=\"my file;1.wav\"",
                Some("my file;1.wav"),
            ),
            (
                "attachment; filename=\"say \\\"hi\\\".wav\"",
                Some("say \"hi\".wav"),
            ),
            (
                "attachment; filename=\"a.wav\"; filename*=UTF-8''%C3%A4%20b.wav",
                Some("ä b.wav"),
            ),
            ("attachment; filename*=iso-8859-1'en'%E4.txt", Some("ä.txt")),
            ("attachment", None),
            ("inline; size=3", None),
        ];
        for (header, expected) in cases {
            assert_eq!(
                content_disposition_file_name(header).as_deref(),
                expected,
                "{header}"
            );
        }
    }

    #[test]
    fn unsafe_names_are_cleaned() {
        assert_eq!(
            safe_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(safe_file_name("C:\\x\\y.wav").as_deref(), Some("y.wav"));
        assert_eq!(safe_file_name("a\u{0}b\n.wav").as_deref(), Some("ab.wav"));
        assert_eq!(safe_file_name(".."), None);
        assert_eq!(safe_file_name("dir/"), None);
    }
}
