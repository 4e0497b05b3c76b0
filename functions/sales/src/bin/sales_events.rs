//! Publishes the sales table's domain events, from its stream.
shared::stream!(sales::events::derive);
