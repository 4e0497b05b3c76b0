//! Publishes the sales table's domain events, from its stream.
runtime::stream!(sales::events::derive);
