//! What every function stands on in AWS: configuration from the environment, the secrets
//! it is given, the AWS clients' shared region, credentials and HTTPS client, X-Ray
//! traces, the domain events published from table streams, and timestamps.

pub mod aws;
pub mod config;
pub mod events;
pub mod secrets;
pub mod time;
pub mod trace;
