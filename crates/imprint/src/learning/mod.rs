//! Learning (docs/theory.md sections 3-4 and 8): tasks, costs, Coupled Learning,
//! gradient descent and the second-order trainer on the transfer matrix, and
//! training as a resumable stepper.

mod batch;
mod bounded_step;
pub mod builtin;
mod circuit;
mod cost;
pub mod coupled_learning;
pub mod custom;
mod error;
pub mod gradient;
pub mod levenberg_marquardt;
mod output_response;
pub mod rules;
mod spring_tasks;
pub mod step_size;
pub mod stiffness;
mod task;
mod training;
pub mod transfer;
mod transfer_cost;

pub use batch::BatchResponse;
pub use circuit::{winner, Evaluation, FreeStates, TaskCircuit};
pub use cost::Cost;
pub use coupled_learning::coupled_learning_update;
pub use error::LearningError;
pub use gradient::{cost_gradient, gradient_from};
pub use levenberg_marquardt::{
    DampingState, Stationary, CLASSIFICATION_MARGIN, CRAWL_FACTOR, CRAWL_WINDOW, RESTARTS,
    RESTART_SPREAD,
};
pub use output_response::OutputResponse;
pub use rules::{Rule, RuleKind};
pub use step_size::{AutoRate, LearningRate, RateEstimate};
pub(crate) use task::affine_fit;
pub(crate) use task::check_sample_count;
pub use task::{InputPlane, Readout, Roles, Task, MAX_SAMPLES};
pub use training::{batch, Keep, StepTimings, StopRule, Training, TrainingParameters};
pub use transfer::Transfer;
pub use transfer_cost::{Objective, TransferCost};
