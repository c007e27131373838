//! One module per subcommand.

pub mod analyze;
pub mod bench;
pub mod demo;
pub mod export;
pub mod network;
pub mod plot;
pub mod report;
pub mod reproduce;
pub mod solve;
pub mod sweep;
pub mod train;
