//! Reviews: product reviews, moderation and recommendations. The health endpoints of
//! the service live here already.
