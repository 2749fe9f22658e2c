//! clap's derive with `version` and `about` from Cargo.toml, tokio's
//! `#[tokio::main]` and tracing's `#[instrument]`, each macro from wasm.

use clap::Parser;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// How many times to count each word.
    #[arg(short, long, default_value_t = 1)]
    times: usize,
    words: Vec<String>,
}

static SPANS: AtomicUsize = AtomicUsize::new(0);

struct CountSpans;

impl tracing::Subscriber for CountSpans {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(SPANS.fetch_add(1, Ordering::SeqCst) as u64 + 1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tracing::instrument]
fn count(words: &[String], times: usize) -> usize {
    words.len() * times
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cli = Cli::parse();
    let total = tokio::spawn(async move {
        tracing::subscriber::with_default(CountSpans, || count(&cli.words, cli.times))
    })
    .await
    .unwrap();
    println!("{total} words, {} span", SPANS.load(Ordering::SeqCst));
}
