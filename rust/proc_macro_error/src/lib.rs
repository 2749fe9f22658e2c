//! proc-macro-error 1.x's public API for a procedural macro compiled to
//! WebAssembly by `wasmacro build`, where `abort!` cannot unwind: it ends the
//! expansion with the errors through `wasmacro-1.finish` instead (README.md).

mod diagnostic;
#[macro_use]
mod macros;

pub use crate::diagnostic::{Diagnostic, Level};
pub use crate::dummy::{append_dummy, set_dummy};

use proc_macro2::TokenStream;
use quote::quote;
use std::cell::{Cell, RefCell};

thread_local! {
    /// How many `entry_point` calls are running, and whether the innermost
    /// is a proc-macro-hack one.
    static ENTERED: Cell<(usize, bool)> = Cell::new((0, false));
    static ERRORS: RefCell<Vec<Diagnostic>> = RefCell::new(Vec::new());
    static DUMMY: RefCell<Option<TokenStream>> = RefCell::new(None);
}

/// Runs the body of a macro's entry point: what `#[proc_macro_error]` wraps
/// around it, and `wasmacro build`'s registration calls.
#[doc(hidden)]
pub fn entry_point<F>(body: F, proc_macro_hack: bool) -> TokenStream
where
    F: FnOnce() -> TokenStream,
{
    let outer = ENTERED.with(|e| e.replace((e.get().0 + 1, proc_macro_hack)));
    let output = body();
    ENTERED.with(|e| e.set(outer));
    let dummy = DUMMY.with(|d| d.take());
    let errors = ERRORS.with(|e| e.take());
    if errors.is_empty() {
        output
    } else {
        error_output(errors, dummy, proc_macro_hack)
    }
}

/// What an entry point returns once errors were emitted: the errors, then
/// the dummy.
fn error_output(errors: Vec<Diagnostic>, dummy: Option<TokenStream>, hack: bool) -> TokenStream {
    if hack {
        // proc-macro-hack expands the output in expression position.
        quote! {{
            macro_rules! proc_macro_call {
                () => ( unimplemented!() )
            }
            #(#errors)*
            #dummy
            unimplemented!()
        }}
    } else {
        quote!( #(#errors)* #dummy )
    }
}

/// Ends the expansion with the errors emitted so far.
fn abort_now() -> ! {
    check_entered();
    let (_, hack) = ENTERED.with(|e| e.get());
    let dummy = DUMMY.with(|d| d.take());
    let errors = ERRORS.with(|e| e.take());
    proc_macro2::__private::finish_expansion(error_output(errors, dummy, hack))
}

fn check_entered() {
    if ENTERED.with(|e| e.get().0) == 0 {
        panic!(
            "proc-macro-error's API was used outside of a macro's entry point: the entry-point \
             function needs `#[proc_macro_error]`"
        );
    }
}

fn emit(diagnostic: Diagnostic) {
    check_entered();
    if diagnostic.level == Level::Error {
        ERRORS.with(|e| e.borrow_mut().push(diagnostic));
    }
}

/// Ends the expansion if an error was emitted.
pub fn abort_if_dirty() {
    check_entered();
    if ERRORS.with(|e| !e.borrow().is_empty()) {
        abort_now()
    }
}

/// What the expansion outputs after its errors, so that the code around the
/// macro's call still compiles and the user sees only the errors.
pub mod dummy {
    use super::{check_entered, DUMMY};
    use proc_macro2::TokenStream;

    /// Replaces the dummy; returns the one it replaces.
    pub fn set_dummy(dummy: TokenStream) -> Option<TokenStream> {
        check_entered();
        DUMMY.with(|d| d.replace(Some(dummy)))
    }

    pub fn append_dummy(dummy: TokenStream) {
        check_entered();
        DUMMY.with(|d| match &mut *d.borrow_mut() {
            Some(stream) => stream.extend(dummy),
            slot @ None => *slot = Some(dummy),
        });
    }
}

pub trait ResultExt {
    type Ok;
    /// The value, else aborts with the error.
    fn unwrap_or_abort(self) -> Self::Ok;
    /// The value, else aborts with "`message`: the error".
    fn expect_or_abort(self, message: &str) -> Self::Ok;
}

impl<T, E: Into<Diagnostic>> ResultExt for Result<T, E> {
    type Ok = T;

    fn unwrap_or_abort(self) -> T {
        self.unwrap_or_else(|e| e.into().abort())
    }

    fn expect_or_abort(self, message: &str) -> T {
        self.unwrap_or_else(|e| {
            let mut diagnostic = e.into();
            diagnostic.msg = format!("{}: {}", message, diagnostic.msg);
            diagnostic.abort()
        })
    }
}

pub trait OptionExt {
    type Some;
    /// The value, else aborts at the call site with `message`.
    fn expect_or_abort(self, message: &str) -> Self::Some;
}

impl<T> OptionExt for Option<T> {
    type Some = T;

    fn expect_or_abort(self, message: &str) -> T {
        self.unwrap_or_else(|| abort_call_site!(message))
    }
}

#[doc(hidden)]
pub mod __private {
    pub use proc_macro2::Span;
    use quote::ToTokens;

    // The first argument of the diagnostic macros is a span or anything with
    // tokens, whose first and last tokens' spans the diagnostic covers. The
    // macros call the method on `&arg`: a `Span` finds its impl without
    // autoref, any other type through `&T` with one more.

    pub trait SpanArgument {
        fn first_argument_span_range(&self) -> (Span, Span);
    }

    impl SpanArgument for Span {
        fn first_argument_span_range(&self) -> (Span, Span) {
            (*self, *self)
        }
    }

    pub trait TokensArgument {
        fn first_argument_span_range(&self) -> (Span, Span);
    }

    impl<T: ToTokens + ?Sized> TokensArgument for &T {
        fn first_argument_span_range(&self) -> (Span, Span) {
            let mut tokens = self.to_token_stream().into_iter();
            let start = tokens.next().map_or_else(Span::call_site, |t| t.span());
            let end = tokens.last().map_or(start, |t| t.span());
            (start, end)
        }
    }
}

/// The wasm form of `#[proc_macro_error]` on an entry point: `wasmacro
/// build` registers `proc_macro_error!(entry f, (input), false)` as the
/// function to export, which runs `f` inside `entry_point`. The registration
/// names the macro as the attribute was named, so that it resolves through
/// the crate's own `use proc_macro_error::proc_macro_error;`.
#[doc(hidden)]
#[macro_export]
macro_rules! proc_macro_error {
    (entry $function:path, ($($input:ident),*), $proc_macro_hack:literal) => {
        |$($input),*| $crate::entry_point(move || $function($($input),*), $proc_macro_hack)
    };
}
