//! One module per subcommand.

pub mod analyze;
pub mod bench;
pub mod demo;
pub mod export;
pub mod network;
pub mod plot;
pub mod reproduce;
pub mod solve;
pub mod sweep;
pub mod train;

/// A flag that SIGINT and SIGTERM (what batch schedulers send) raise, for
/// the long commands to checkpoint and stop. A second handler cannot be
/// installed in the same process: that is ignored.
pub fn interrupt_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let raised = flag.clone();
    let _ = ctrlc::set_handler(move || raised.store(true, std::sync::atomic::Ordering::SeqCst));
    flag
}
