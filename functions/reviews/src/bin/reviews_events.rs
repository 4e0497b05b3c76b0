//! Publishes the reviews table's domain events, from its stream.
shared::stream!(reviews::events::derive);
