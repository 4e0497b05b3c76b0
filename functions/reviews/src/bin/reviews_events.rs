//! Publishes the reviews table's domain events, from its stream.
runtime::stream!(reviews::events::derive);
