//! Publishes the products table's domain events, from its stream.
runtime::stream!(inventory::events::derive);
