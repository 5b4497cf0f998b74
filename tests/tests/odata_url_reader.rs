//! The OData URL reader used by the wire-conformance test accepts what an OData server accepts
//! and rejects the mistakes a client can make.

use chrono::DateTime;
use xapi_tests::odata_url::{
    parse_path, parse_query, LiteralKind, LiteralValue, ParameterSpec, UrlError,
};

const BASE: &str = "/xapi/v1";

fn spec(name: &str, kind: LiteralKind, nullable: bool) -> ParameterSpec {
    ParameterSpec {
        name: name.to_owned(),
        kind,
        nullable,
    }
}

fn string_key() -> Vec<ParameterSpec> {
    vec![spec("Name", LiteralKind::String, false)]
}

#[test]
fn reads_every_literal_kind() {
    let template = "/F(s={s},t={t},d={d},g={g},i={i},l={l},b={b},n={n},x={x})";
    let parameters = [
        spec("s", LiteralKind::String, false),
        spec("t", LiteralKind::DateTime, false),
        spec("d", LiteralKind::Date, false),
        spec("g", LiteralKind::Guid, false),
        spec("i", LiteralKind::Int32, false),
        spec("l", LiteralKind::Int64, false),
        spec("b", LiteralKind::Boolean, false),
        spec("n", LiteralKind::Number, false),
        spec("x", LiteralKind::String, true),
    ];
    let path = "/xapi/v1/F(s='O''Brien%20%2F%23%25,()%C3%BC',t=2025-02-28T20:00:00Z,\
                d=2025-03-01,g=0e4b1b6a-0000-4000-8000-00000000000a,i=-2147483648,\
                l=9223372036854775807,b=false,n=-0.25,x=null)";
    let values = parse_path(BASE, template, path, &parameters).unwrap();

    let instant = DateTime::parse_from_rfc3339("2025-03-01T01:30:00+05:30").unwrap();
    assert_eq!(
        values["s"],
        LiteralValue::String("O'Brien /#%,()ü".to_owned())
    );
    assert_eq!(values["t"], LiteralValue::DateTime(instant));
    assert_eq!(
        values["d"],
        LiteralValue::Date(chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
    );
    assert_eq!(
        values["g"],
        LiteralValue::Guid(uuid::Uuid::parse_str("0e4b1b6a-0000-4000-8000-00000000000a").unwrap())
    );
    assert_eq!(values["i"], LiteralValue::Int32(i32::MIN));
    assert_eq!(values["l"], LiteralValue::Int64(i64::MAX));
    assert_eq!(values["b"], LiteralValue::Boolean(false));
    assert_eq!(values["n"], LiteralValue::Number(-0.25));
    assert_eq!(values["x"], LiteralValue::Null);
}

#[test]
fn rejects_unquoted_string() {
    let error = parse_path(BASE, "/A({Name})", "/xapi/v1/A(abc)", &string_key()).unwrap_err();
    assert_eq!(
        error,
        UrlError::UnquotedString {
            name: "Name".to_owned(),
            text: "abc".to_owned()
        }
    );
}

#[test]
fn rejects_lone_quote_in_string() {
    let path = "/xapi/v1/A('O'Brien')";
    let error = parse_path(BASE, "/A({Name})", path, &string_key()).unwrap_err();
    assert_eq!(
        error,
        UrlError::UnescapedQuote {
            name: "Name".to_owned(),
            rest: "Brien')".to_owned()
        }
    );
}

#[test]
fn rejects_unterminated_string() {
    let error = parse_path(BASE, "/A({Name})", "/xapi/v1/A('abc)", &string_key()).unwrap_err();
    assert_eq!(
        error,
        UrlError::UnterminatedString {
            name: "Name".to_owned()
        }
    );
}

#[test]
fn rejects_repeated_select() {
    let error = parse_query("$select=Id&$select=Name").unwrap_err();
    assert_eq!(
        error,
        UrlError::RepeatedOption {
            name: "$select".to_owned()
        }
    );
}

#[test]
fn rejects_chrono_display_date_time() {
    let parameters = [spec("at", LiteralKind::DateTime, false)];
    let path = "/xapi/v1/F(at=2025-03-01%2000:00:00%20UTC)";
    let error = parse_path(BASE, "/F(at={at})", path, &parameters).unwrap_err();
    assert!(
        matches!(&error, UrlError::InvalidLiteral { name, text, .. }
            if name == "at" && text == "2025-03-01 00:00:00 UTC"),
        "{error:?}"
    );
}

#[test]
fn rejects_non_utc_date_time() {
    let parameters = [spec("at", LiteralKind::DateTime, false)];
    let path = "/xapi/v1/F(at=2025-03-01T01:30:00+05:30)";
    let error = parse_path(BASE, "/F(at={at})", path, &parameters).unwrap_err();
    assert!(
        matches!(&error, UrlError::InvalidLiteral { name, .. } if name == "at"),
        "{error:?}"
    );
}

#[test]
fn rejects_empty_argument() {
    let parameters = [
        spec("a", LiteralKind::Int32, false),
        spec("b", LiteralKind::Int32, false),
    ];
    let error = parse_path(BASE, "/F(a={a},b={b})", "/xapi/v1/F(a=1,b=)", &parameters).unwrap_err();
    assert_eq!(
        error,
        UrlError::MissingArgument {
            name: "b".to_owned()
        }
    );
}

#[test]
fn rejects_left_out_argument() {
    let parameters = [
        spec("a", LiteralKind::Int32, false),
        spec("b", LiteralKind::Int32, false),
    ];
    let error = parse_path(BASE, "/F(a={a},b={b})", "/xapi/v1/F(a=1)", &parameters).unwrap_err();
    assert_eq!(
        error,
        UrlError::TemplateMismatch {
            expected: ",b=".to_owned(),
            found: ")".to_owned()
        }
    );
}

#[test]
fn rejects_null_for_non_nullable() {
    let error = parse_path(BASE, "/A({Name})", "/xapi/v1/A(null)", &string_key()).unwrap_err();
    assert_eq!(
        error,
        UrlError::NullNotAllowed {
            name: "Name".to_owned()
        }
    );
}

#[test]
fn rejects_quoted_guid() {
    let parameters = [spec("g", LiteralKind::Guid, false)];
    let path = "/xapi/v1/A('0e4b1b6a-0000-4000-8000-00000000000a')";
    let error = parse_path(BASE, "/A({g})", path, &parameters).unwrap_err();
    assert!(
        matches!(&error, UrlError::InvalidLiteral { name, .. } if name == "g"),
        "{error:?}"
    );
}

#[test]
fn rejects_int32_overflow() {
    let parameters = [spec("i", LiteralKind::Int32, false)];
    let error = parse_path(BASE, "/A({i})", "/xapi/v1/A(2147483648)", &parameters).unwrap_err();
    assert!(
        matches!(&error, UrlError::InvalidLiteral { name, .. } if name == "i"),
        "{error:?}"
    );
}

#[test]
fn rejects_unencoded_characters() {
    let error = parse_path(BASE, "/A({Name})", "/xapi/v1/A('a|b')", &string_key()).unwrap_err();
    assert!(matches!(error, UrlError::BadEncoding { .. }), "{error:?}");
}

#[test]
fn rejects_other_base_path() {
    let error = parse_path(BASE, "/A({Name})", "/A('a')", &string_key()).unwrap_err();
    assert!(matches!(error, UrlError::WrongBase { .. }), "{error:?}");
}

#[test]
fn query_reads_plus_as_space() {
    let query = parse_query("$filter=Name%20eq%20'a+b%2Bc'&$top=5").unwrap();
    assert_eq!(query.get("$filter"), Some("Name eq 'a b+c'"));
    assert_eq!(query.get("$top"), Some("5"));
}

#[test]
fn query_rejects_non_system_parameter() {
    let error = parse_query("$top=5&api-version=1").unwrap_err();
    assert_eq!(
        error,
        UrlError::UnknownQueryParameter {
            name: "api-version".to_owned()
        }
    );
}
