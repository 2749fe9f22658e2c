//! Each macro crate, compiled to wasm from Debian's unmodified sources, with
//! its runtime. Prints one line per crate and `all macro crates ok`.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

// ctor: runs before main.
static BEFORE_MAIN: AtomicU32 = AtomicU32::new(0);

#[ctor::ctor]
fn set_before_main() {
    BEFORE_MAIN.store(42, Ordering::SeqCst);
}

// async-trait: a trait with async methods, used as trait objects.
#[async_trait::async_trait]
trait Greeter {
    async fn greet(&self, name: &str) -> String;
}

struct English;
struct French;

#[async_trait::async_trait]
impl Greeter for English {
    async fn greet(&self, name: &str) -> String {
        format!("Hello, {name}!")
    }
}

#[async_trait::async_trait]
impl Greeter for French {
    async fn greet(&self, name: &str) -> String {
        format!("Bonjour, {name} !")
    }
}

// tracing-attributes: #[instrument] spans, seen by a small subscriber.
static SPANS: AtomicUsize = AtomicUsize::new(0);

struct CountingSubscriber;

impl tracing::Subscriber for CountingSubscriber {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        println!("tracing: span {}", attrs.metadata().name());
        tracing::span::Id::from_u64(SPANS.fetch_add(1, Ordering::SeqCst) as u64 + 1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tracing_attributes::instrument]
fn checksum(data: &[u8]) -> u32 {
    data.iter().map(|&b| b as u32).sum()
}

// serde_repr: an enum as its number.
#[derive(serde_repr::Serialize_repr, serde_repr::Deserialize_repr, Debug, PartialEq)]
#[repr(u8)]
enum Level {
    Low = 1,
    High = 9,
}

// num-derive: numbers to an enum and back.
#[derive(num_derive::FromPrimitive, num_derive::ToPrimitive, Debug, PartialEq)]
enum Color {
    Red,
    Green = 5,
    Blue,
}

// clap_derive: a command line with options, a value enum and subcommands.
#[derive(clap_derive::Parser, Debug)]
#[command(name = "tool", version, about)]
struct Cli {
    /// Say more.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
    #[arg(long, value_enum, default_value_t = Speed::Fast)]
    speed: Speed,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap_derive::ValueEnum, Clone, Copy, Debug, PartialEq)]
enum Speed {
    Fast,
    Slow,
}

#[derive(clap_derive::Subcommand, Debug, PartialEq)]
enum Command {
    /// Build a target.
    Build {
        target: String,
        #[arg(long)]
        release: bool,
    },
    Clean,
}

// tokio-macros: the runtime, built by #[tokio::main].
#[tokio_macros::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(BEFORE_MAIN.load(Ordering::SeqCst), 42);
    println!("ctor: ran before main");

    let task = tokio::spawn(async { 40 + 2 });
    assert_eq!(task.await.unwrap(), 42);
    println!("tokio: a spawned task returned 42");

    let greeters: Vec<Box<dyn Greeter + Send + Sync>> = vec![Box::new(English), Box::new(French)];
    for g in &greeters {
        println!("async-trait: {}", g.greet("wasm").await);
    }

    tracing::subscriber::with_default(CountingSubscriber, || {
        assert_eq!(checksum(b"abc"), 294);
    });
    assert_eq!(SPANS.load(Ordering::SeqCst), 1);

    let json = serde_json::to_string(&[Level::Low, Level::High]).unwrap();
    assert_eq!(json, "[1,9]");
    assert_eq!(serde_json::from_str::<Level>("9").unwrap(), Level::High);
    println!("serde_repr: {json}");

    use num_traits::{FromPrimitive, ToPrimitive};
    assert_eq!(Color::from_u8(6), Some(Color::Blue));
    assert_eq!(Color::Green.to_i32(), Some(5));
    assert_eq!(Color::from_u8(1), None);
    println!("num-derive: 6 is {:?}", Color::from_u8(6).unwrap());

    use clap::Parser;
    let cli = Cli::parse_from(["tool", "-vv", "--speed", "slow", "build", "app", "--release"]);
    assert_eq!((cli.verbose, cli.speed), (2, Speed::Slow));
    let built = Command::Build { target: "app".into(), release: true };
    assert_eq!(cli.command, built);
    let error = Cli::try_parse_from(["tool", "--speed", "medium", "clean"]).unwrap_err();
    assert!(error.to_string().contains("'medium' isn't a valid value for '--speed <SPEED>'"), "{error}");
    println!("clap: {:?}", cli.command);
    // `version` and `about` came from Cargo.toml through CARGO_PKG_*.
    let help = Cli::try_parse_from(["tool", "--version"]).unwrap_err().to_string();
    assert_eq!(help, "tool 0.1.0\n");
    use clap::CommandFactory;
    let about = Cli::command().get_about().map(|a| a.to_string());
    assert_eq!(about.as_deref(), Some("The macro crates of Debian's registry, as wasm"));
    println!("clap: {}", help.trim_end());

    println!("all macro crates ok");
}
