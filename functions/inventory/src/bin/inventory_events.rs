//! Publishes the products table's domain events, from its stream.
shared::stream!(inventory::events::derive);
