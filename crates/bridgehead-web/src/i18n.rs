//! The translation catalogue: every text of the pages comes from `locales/zh-CN` and
//! `locales/en` (Fluent files). The language is the `bh_lang` cookie when set, else
//! the browser's preference, else Chinese.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        // Fluent wraps arguments in Unicode isolation marks by default; pages do not
        // need them and they would leak into copied text.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub const LANG_COOKIE: &str = "bh_lang";

/// The two languages of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

static ZH: LanguageIdentifier = langid!("zh-CN");
static EN: LanguageIdentifier = langid!("en");

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    /// The value of the `lang` attribute.
    pub fn html(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        match input.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Some(Self::Zh),
            "en" | "en-us" | "en-gb" => Some(Self::En),
            _ => None,
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }

    /// The language a request asks for.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        if let Some(lang) = crate::session::cookie_value(headers, LANG_COOKIE).and_then(|v| Self::parse(&v)) {
            return lang;
        }
        let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        accept
            .split(',')
            .filter_map(|part| part.split(';').next())
            .find_map(|tag| {
                let tag = tag.trim().to_ascii_lowercase();
                if tag.starts_with("zh") {
                    Some(Self::Zh)
                } else if tag.starts_with("en") {
                    Some(Self::En)
                } else {
                    None
                }
            })
            .unwrap_or_default()
    }

    pub fn io(self) -> bridgehead_io::Lang {
        match self {
            Self::Zh => bridgehead_io::Lang::Zh,
            Self::En => bridgehead_io::Lang::En,
        }
    }

    /// A text of the catalogue.
    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// A text with arguments.
    pub fn t_args(self, key: &str, args: &[(&str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> =
            args.iter().map(|(k, v)| (Cow::Owned((*k).to_owned()), FluentValue::from(v.clone()))).collect();
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    /// A refused value's message in this language: the catalogue's `error-<code>` with
    /// the error's particulars, or `fallback` (English) when the catalogue has none.
    pub fn error_message(
        self,
        code: &str,
        params: &std::collections::BTreeMap<String, String>,
        fallback: &str,
    ) -> String {
        let key = format!("error-{}", code.replace(['.', '_'], "-"));
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> =
            params.iter().map(|(k, v)| (Cow::Owned(k.clone()), FluentValue::from(v.clone()))).collect();
        LOCALES.try_lookup_with_args(self.id(), &key, &args).unwrap_or_else(|| fallback.to_owned())
    }

    /// Picks the name in this language, falling back to the other.
    pub fn name<'a>(self, zh: &'a str, en: Option<&'a str>) -> &'a str {
        match (self, en) {
            (Self::En, Some(en)) if !en.is_empty() => en,
            _ => zh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> std::collections::BTreeSet<String> {
        text.lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap_or("").to_owned())
            .collect()
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let zh = keys(include_str!("../locales/zh-CN/main.ftl"));
        let en = keys(include_str!("../locales/en/main.ftl"));
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty() && only_en.is_empty(), "only in zh: {only_zh:?}; only in en: {only_en:?}");
    }

    #[test]
    fn field_errors_speak_the_page_language() {
        let error = bridgehead_domain::codes::CreditCode::parse_structure("91330100716105852A")
            .unwrap()
            .check()
            .unwrap_err()
            .into_field_error("credit_code", "91330100716105852A");
        let zh = Lang::Zh.error_message(error.code, &error.params, &error.message);
        assert!(zh.contains('F') && zh.contains("校验码"), "{zh}");
        let en = Lang::En.error_message(error.code, &error.params, &error.message);
        assert!(en.contains("'F'"), "{en}");
        assert_eq!(Lang::Zh.error_message("no.such.code", &Default::default(), "fallback"), "fallback");
    }

    #[test]
    fn lookups_and_preferences() {
        assert_eq!(Lang::En.t("nav-enterprises"), "Enterprises");
        assert_eq!(Lang::Zh.t("nav-enterprises"), "企业");
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9".parse().unwrap());
        assert_eq!(Lang::from_headers(&headers), Lang::En);
        headers.insert(header::COOKIE, "bh_lang=zh".parse().unwrap());
        assert_eq!(Lang::from_headers(&headers), Lang::Zh);
    }
}
