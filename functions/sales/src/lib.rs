//! Sales: purchases and their history. The health endpoints of the service live here
//! already; the purchase routes come with the purchase saga.
