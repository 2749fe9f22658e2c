// Nothing: this crate only makes Cargo build its dependencies.
