//! The platform-wide health endpoints: `/health/status` and `/health/database`
//! aggregate every service.
