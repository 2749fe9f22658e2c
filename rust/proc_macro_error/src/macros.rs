// The diagnostic macros, with proc-macro-error 1.x's syntax:
//
//     abort!(error)                       a syn::Error, or anything Into<Diagnostic>
//     abort!(span, "message")             the message is `.to_string()`ed
//     abort!(span, "format {}", args...)
//     abort!(span, ...; help = "..."; note = span => "format {}", args...; help =? option)
//
// `span` is a Span or anything with tokens (`__private`).

/// A `Diagnostic`, from an error or from a span, a level and a message.
#[macro_export]
macro_rules! diagnostic {
    ($error:expr) => {
        $crate::Diagnostic::from($error)
    };
    ($span:expr, $level:expr, $message:expr $(,)? $(; $($suggestions:tt)*)?) => {{
        let (start, end) = $crate::__span_range!($span);
        let diagnostic =
            $crate::Diagnostic::double_spanned(start, end, $level, $message.to_string());
        $($crate::__suggestions!(diagnostic; $($suggestions)*);)?
        diagnostic
    }};
    ($span:expr, $level:expr, $format:expr, $($arg:expr),+ $(,)? $(; $($suggestions:tt)*)?) => {
        $crate::diagnostic!($span, $level, format!($format, $($arg),+) $(; $($suggestions)*)?)
    };
}

/// Emits an error and ends the expansion with the errors so far.
#[macro_export]
macro_rules! abort {
    ($error:expr) => {
        $crate::diagnostic!($error).abort()
    };
    ($span:expr, $($rest:tt)*) => {
        $crate::diagnostic!($span, $crate::Level::Error, $($rest)*).abort()
    };
}

#[macro_export]
macro_rules! abort_call_site {
    ($($rest:tt)*) => {
        $crate::abort!($crate::__private::Span::call_site(), $($rest)*)
    };
}

/// Emits an error; the expansion goes on, and its output is the errors.
#[macro_export]
macro_rules! emit_error {
    ($error:expr) => {
        $crate::diagnostic!($error).emit()
    };
    ($span:expr, $($rest:tt)*) => {
        $crate::diagnostic!($span, $crate::Level::Error, $($rest)*).emit()
    };
}

#[macro_export]
macro_rules! emit_call_site_error {
    ($($rest:tt)*) => {
        $crate::emit_error!($crate::__private::Span::call_site(), $($rest)*)
    };
}

#[macro_export]
macro_rules! emit_warning {
    ($span:expr, $($rest:tt)*) => {
        $crate::diagnostic!($span, $crate::Level::Warning, $($rest)*).emit()
    };
}

#[macro_export]
macro_rules! emit_call_site_warning {
    ($($rest:tt)*) => {
        $crate::emit_warning!($crate::__private::Span::call_site(), $($rest)*)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __span_range {
    ($span:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::{SpanArgument as _, TokensArgument as _};
        (&$span).first_argument_span_range()
    }};
}

/// Rebinds `diagnostic` with each `;`-separated suggestion added.
#[doc(hidden)]
#[macro_export]
macro_rules! __suggestions {
    (@one $diagnostic:ident [$($one:tt)*] ; $($rest:tt)*) => {
        $crate::__suggestion!($diagnostic $($one)*);
        $crate::__suggestions!($diagnostic; $($rest)*);
    };
    (@one $diagnostic:ident [$($one:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__suggestions!(@one $diagnostic [$($one)* $next] $($rest)*);
    };
    (@one $diagnostic:ident [$($one:tt)*]) => {
        $crate::__suggestion!($diagnostic $($one)*);
    };
    ($diagnostic:ident;) => {};
    ($diagnostic:ident; $($rest:tt)+) => {
        $crate::__suggestions!(@one $diagnostic [] $($rest)+);
    };
}

/// One suggestion: `name = message`, `name = span => message` (each message
/// a value or a format string with arguments), or `name =? option` and
/// `name =? span => option`, added only if the option holds a message.
#[doc(hidden)]
#[macro_export]
macro_rules! __suggestion {
    ($diagnostic:ident $name:ident =? $span:expr => $message:expr $(,)?) => {
        let $diagnostic = match $message {
            Some(message) => $diagnostic.span_suggestion(
                ($span).into(),
                stringify!($name),
                message.to_string(),
            ),
            None => $diagnostic,
        };
    };
    ($diagnostic:ident $name:ident =? $message:expr $(,)?) => {
        let $diagnostic = match $message {
            Some(message) => $diagnostic.suggestion(stringify!($name), message.to_string()),
            None => $diagnostic,
        };
    };
    ($diagnostic:ident $name:ident = $span:expr => $message:expr $(,)?) => {
        let $diagnostic =
            $diagnostic.span_suggestion(($span).into(), stringify!($name), $message.to_string());
    };
    ($diagnostic:ident $name:ident = $span:expr => $format:expr, $($arg:expr),+ $(,)?) => {
        $crate::__suggestion!($diagnostic $name = $span => format!($format, $($arg),+));
    };
    ($diagnostic:ident $name:ident = $message:expr $(,)?) => {
        let $diagnostic = $diagnostic.suggestion(stringify!($name), $message.to_string());
    };
    ($diagnostic:ident $name:ident = $format:expr, $($arg:expr),+ $(,)?) => {
        $crate::__suggestion!($diagnostic $name = format!($format, $($arg),+));
    };
}
