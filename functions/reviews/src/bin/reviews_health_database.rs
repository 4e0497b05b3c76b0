// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(runtime::health::database);
