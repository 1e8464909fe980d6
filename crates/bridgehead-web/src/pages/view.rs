//! The view model pages are made of.

/// A page: a title, an optional introduction and sections in order.
#[derive(Debug, Clone, Default)]
pub struct PageView {
    pub title: String,
    pub intro: Option<String>,
    pub sections: Vec<Section>,
    /// A document meant for paper: plain layout; printing leaves out the header, the
    /// navigation, links and forms (`body.printable` in the stylesheet).
    pub printable: bool,
}

impl PageView {
    pub fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), ..Self::default() }
    }

    #[must_use]
    pub fn intro(mut self, intro: impl Into<String>) -> Self {
        self.intro = Some(intro.into());
        self
    }

    #[must_use]
    pub fn section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
    }

    pub fn push(&mut self, section: Section) {
        self.sections.push(section);
    }

    /// Whether the page draws charts (and needs the chart library).
    pub fn has_charts(&self) -> bool {
        self.sections.iter().any(|s| matches!(s, Section::Chart(_)))
    }

    #[must_use]
    pub fn printable(mut self) -> Self {
        self.printable = true;
        self
    }
}

#[derive(Debug, Clone)]
pub enum Section {
    Heading(String),
    Notice(Notice),
    Facts(Vec<(String, String)>),
    Table(Table),
    Form(Form),
    Links(Vec<Link>),
    Pager(Pager),
    Stamp(Stamp),
    Chart(Chart),
}

/// A chart drawn by the page's script with ECharts from `spec` (a JSON option object);
/// the figures it shows are also in a table on the same page, for readers without
/// scripts or sight.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    /// The ECharts option, as JSON text.
    pub spec: String,
}

/// The block an authority signs and stamps on a printed document: a bordered box with
/// the authority's name, its lines (such as the number and the date) and the seal's place.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub authority: String,
    pub lines: Vec<(String, String)>,
    /// The words in the seal's place, e.g. "(seal)".
    pub seal: String,
}

#[derive(Debug, Clone)]
pub struct Notice {
    /// `info`, `success`, `warning` or `error`.
    pub kind: &'static str,
    pub text: String,
    /// Row errors of an import, shown as a table under the notice.
    pub rows: Vec<Vec<String>>,
    pub row_headers: Vec<String>,
}

impl Notice {
    fn of(kind: &'static str, text: impl Into<String>) -> Self {
        Self { kind, text: text.into(), rows: Vec::new(), row_headers: Vec::new() }
    }
    /// Plain information (the accent colour).
    pub fn info(text: impl Into<String>) -> Self {
        Self::of("info", text)
    }
    pub fn success(text: impl Into<String>) -> Self {
        Self::of("success", text)
    }
    pub fn warning(text: impl Into<String>) -> Self {
        Self::of("warning", text)
    }
    pub fn error(text: impl Into<String>) -> Self {
        Self::of("error", text)
    }
}

#[derive(Debug, Clone)]
pub struct Link {
    pub label: String,
    pub href: String,
    pub primary: bool,
}

impl Link {
    pub fn new(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self { label: label.into(), href: href.into(), primary: false }
    }
    pub fn primary(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self { label: label.into(), href: href.into(), primary: true }
    }
}

/// A cell: text, optionally a link; `post` makes it a one-button POST form, which sends
/// the `hidden` fields with it and, with `confirm`, asks that question first (where
/// scripts run).
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub post: Option<String>,
    pub hidden: Vec<(String, String)>,
    pub confirm: Option<String>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Self { text: text.into(), ..Self::default() }
    }
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self { text: text.into(), href: Some(href.into()), ..Self::default() }
    }
    pub fn button(text: impl Into<String>, action: impl Into<String>) -> Self {
        Self { text: text.into(), post: Some(action.into()), ..Self::default() }
    }

    /// The question the button asks before it posts.
    #[must_use]
    pub fn with_confirm(mut self, question: impl Into<String>) -> Self {
        self.confirm = Some(question.into());
        self
    }

    /// A hidden field the button sends.
    #[must_use]
    pub fn with_hidden(mut self, name: &str, value: impl Into<String>) -> Self {
        self.hidden.push((name.to_owned(), value.into()));
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Shown instead of an empty table.
    pub empty: String,
}

#[derive(Debug, Clone)]
pub struct FieldOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub label: String,
    /// `text`, `password`, `date`, `email`, `number`, `file`, `select`, `checkboxes`,
    /// `textarea`, `hidden`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<FieldOption>,
    pub required: bool,
    pub error: Option<String>,
    pub hint: Option<String>,
    /// Set when several forms of one page share field names: keeps the element ids apart.
    pub scope: String,
}

impl Field {
    pub fn new(name: &str, label: impl Into<String>, kind: &'static str) -> Self {
        Self {
            name: name.to_owned(),
            label: label.into(),
            kind,
            value: String::new(),
            options: Vec::new(),
            required: false,
            error: None,
            hint: None,
            scope: String::new(),
        }
    }

    #[must_use]
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }

    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Options of a select or checkbox list; those in `selected` are chosen.
    #[must_use]
    pub fn options(mut self, options: Vec<(String, String)>, selected: &[String]) -> Self {
        self.options = options
            .into_iter()
            .map(|(value, label)| FieldOption { selected: selected.contains(&value), value, label })
            .collect();
        self
    }

    pub fn id(&self) -> String {
        if self.scope.is_empty() { format!("f-{}", self.name) } else { format!("f-{}-{}", self.scope, self.name) }
    }
}

#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    /// `get` or `post`.
    pub method: &'static str,
    pub submit: String,
    pub multipart: bool,
    pub fields: Vec<Field>,
    /// The CSRF token for POST forms.
    pub csrf: String,
    /// Lay fields out in a row (filters).
    pub inline: bool,
    /// Repeated rows of fields (such as the lines of a list), each shown as a table
    /// after the fields.
    pub grids: Vec<FieldGrid>,
}

/// Rows of fields under column headings; each field is labelled by its column and row.
#[derive(Debug, Clone, Default)]
pub struct FieldGrid {
    pub legend: String,
    pub hint: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Field>>,
    /// An error about the rows as a whole.
    pub error: Option<String>,
}

impl Form {
    pub fn post(action: impl Into<String>, submit: impl Into<String>, csrf: &str) -> Self {
        Self {
            action: action.into(),
            method: "post",
            submit: submit.into(),
            multipart: false,
            fields: Vec::new(),
            csrf: csrf.to_owned(),
            inline: false,
            grids: Vec::new(),
        }
    }

    pub fn get(action: impl Into<String>, submit: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            method: "get",
            submit: submit.into(),
            multipart: false,
            fields: Vec::new(),
            csrf: String::new(),
            inline: true,
            grids: Vec::new(),
        }
    }

    #[must_use]
    pub fn field(mut self, field: Field) -> Self {
        self.fields.push(field);
        self
    }

    /// Scopes the element ids of the fields added so far (`f-{scope}-{name}`), for a page
    /// with several forms that share field names.
    #[must_use]
    pub fn scoped(mut self, scope: &str) -> Self {
        for field in &mut self.fields {
            field.scope = scope.to_owned();
        }
        self
    }

    #[must_use]
    pub fn grid(mut self, grid: FieldGrid) -> Self {
        self.grids.push(grid);
        self
    }

    /// Multipart forms carry the CSRF token in the query string (the body is a file).
    #[must_use]
    pub fn multipart(mut self) -> Self {
        self.multipart = true;
        let separator = if self.action.contains('?') { '&' } else { '?' };
        self.action = format!("{}{separator}_csrf={}", self.action, self.csrf);
        self
    }

    /// Puts each field error next to its field; returns errors for fields the form lacks.
    pub fn attach_errors(&mut self, lang: crate::i18n::Lang, errors: &[bridgehead_domain::FieldError]) -> Vec<String> {
        let mut unplaced = Vec::new();
        for error in errors {
            let message = lang.error_message(error.code, &error.params, &error.message);
            let base = error.field.split('[').next().unwrap_or(&error.field);
            match self.fields.iter_mut().find(|f| f.name == base) {
                Some(field) => {
                    let text = field.error.take().map_or(message.clone(), |e| format!("{e}; {message}"));
                    field.error = Some(text);
                }
                None => unplaced.push(format!("{}: {message}", error.field)),
            }
        }
        unplaced
    }
}

/// Previous/next links and "page N of M" for a list of `total` items.
#[derive(Debug, Clone)]
pub struct Pager {
    pub summary: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub previous_label: String,
    pub next_label: String,
}
