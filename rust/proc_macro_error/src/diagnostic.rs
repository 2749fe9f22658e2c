use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote_spanned, ToTokens};

#[derive(Debug, PartialEq)]
pub enum Level {
    Error,
    /// Dropped: stable Rust gives a macro no way to emit a warning.
    Warning,
    #[doc(hidden)]
    NonExhaustive,
}

/// An error (or warning) at a span range, with help and note lines, and
/// further errors at spans of their own.
#[derive(Debug)]
pub struct Diagnostic {
    pub(crate) level: Level,
    start: Span,
    end: Span,
    pub(crate) msg: String,
    suggestions: Vec<(Suggestion, String)>,
    children: Vec<(Span, Span, String)>,
}

#[derive(Debug, Clone, Copy)]
enum Suggestion {
    Help,
    Note,
}

impl Suggestion {
    fn named(name: &str) -> Suggestion {
        match name {
            "help" | "hint" => Suggestion::Help,
            _ => Suggestion::Note,
        }
    }
}

impl Diagnostic {
    pub fn new(level: Level, message: String) -> Self {
        Diagnostic::spanned(Span::call_site(), level, message)
    }

    pub fn spanned(span: Span, level: Level, message: String) -> Self {
        Diagnostic::double_spanned(span, span, level, message)
    }

    /// Adds an error at `span`, output after this one.
    pub fn span_error(self, span: Span, message: String) -> Self {
        self.double_span_error(span, span, message)
    }

    // Suggestions become lines of the message: their spans have nowhere to go
    // in a `compile_error!`.

    pub fn span_help(self, _span: Span, message: String) -> Self {
        self.help(message)
    }

    pub fn help(mut self, message: String) -> Self {
        self.suggestions.push((Suggestion::Help, message));
        self
    }

    pub fn span_note(self, _span: Span, message: String) -> Self {
        self.note(message)
    }

    pub fn note(mut self, message: String) -> Self {
        self.suggestions.push((Suggestion::Note, message));
        self
    }

    pub fn message(&self) -> &str {
        &self.msg
    }

    /// Emits the diagnostic and ends the expansion with the errors so far.
    pub fn abort(self) -> ! {
        self.emit();
        crate::abort_now()
    }

    /// Records the diagnostic; the entry point outputs it.
    pub fn emit(self) {
        crate::emit(self)
    }

    #[doc(hidden)]
    pub fn double_spanned(start: Span, end: Span, level: Level, message: String) -> Self {
        Diagnostic {
            level,
            start,
            end,
            msg: message,
            suggestions: Vec::new(),
            children: Vec::new(),
        }
    }

    #[doc(hidden)]
    pub fn double_span_error(mut self, start: Span, end: Span, message: String) -> Self {
        self.children.push((start, end, message));
        self
    }

    /// `help`/`hint` or (any other name) `note`, as the suggestion macros
    /// name them.
    #[doc(hidden)]
    pub fn span_suggestion(self, _span: Span, name: &str, message: String) -> Self {
        self.suggestion(name, message)
    }

    #[doc(hidden)]
    pub fn suggestion(mut self, name: &str, message: String) -> Self {
        self.suggestions.push((Suggestion::named(name), message));
        self
    }
}

/// `compile_error!{"message"}`: the macro name at `start`, the braces and
/// the literal at `end`, so that the compiler underlines the range.
fn compile_error(start: Span, end: Span, message: &str) -> TokenStream {
    let literal = syn::LitStr::new(message, end);
    let body = quote_spanned!(end=> { #literal });
    quote_spanned!(start=> compile_error!#body)
}

fn push_line(text: &mut String, line: &str) {
    text.push_str(line);
    if !line.ends_with('\n') {
        text.push('\n');
    }
}

impl ToTokens for Diagnostic {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        if self.level != Level::Error {
            return;
        }
        if self.suggestions.is_empty() {
            tokens.extend(compile_error(self.start, self.end, &self.msg));
        } else {
            let mut text = String::new();
            push_line(&mut text, &self.msg);
            text.push('\n');
            for (kind, line) in &self.suggestions {
                text.push_str(match kind {
                    Suggestion::Help => "  = help: ",
                    Suggestion::Note => "  = note: ",
                });
                push_line(&mut text, line);
            }
            text.push('\n');
            tokens.extend(compile_error(self.start, self.end, &text));
        }
        for (start, end, message) in &self.children {
            tokens.extend(compile_error(*start, *end, message));
        }
    }
}

impl From<syn::Error> for Diagnostic {
    /// One error per message of `error`, read back from its
    /// `compile_error!` tokens, which carry each message's span range. The
    /// message is the literal's source text without its quotes (escapes
    /// stay escaped), as proc-macro-error reads it.
    fn from(error: syn::Error) -> Self {
        let mut errors = Vec::new();
        let mut start = None;
        for tree in error.to_compile_error() {
            match tree {
                // A `;` ends a `compile_error!(...)`; the next error's first
                // token is where it starts.
                TokenTree::Punct(p) if start.is_none() && p.as_char() == ';' => {}
                TokenTree::Group(body) if start.is_some() => {
                    let literal = body.stream().into_iter().find_map(|t| match t {
                        TokenTree::Literal(literal) => Some(literal),
                        _ => None,
                    });
                    if let (Some(start), Some(literal)) = (start.take(), literal) {
                        let text = literal.to_string();
                        let message = text.get(1..text.len() - 1).unwrap_or_default();
                        errors.push((start, literal.span(), message.to_string()));
                    }
                }
                _ => {
                    start.get_or_insert(tree.span());
                }
            }
        }
        let mut errors = errors.into_iter();
        let (start, end, message) = errors.next().expect("a syn::Error has a message");
        errors.fold(
            Diagnostic::double_spanned(start, end, Level::Error, message),
            |diagnostic, (start, end, message)| diagnostic.double_span_error(start, end, message),
        )
    }
}
