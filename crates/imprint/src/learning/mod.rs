//! Learning (docs/theory.md sections 3-4): tasks, costs, Coupled Learning and
//! gradient descent, and training as a resumable stepper.

mod batch;
pub mod builtin;
mod circuit;
pub mod config;
mod cost;
pub mod coupled_learning;
pub mod custom;
mod error;
pub mod gradient;
mod output_response;
pub mod resolve;
pub mod rules;
pub mod step_size;
mod task;
mod training;

pub use batch::BatchResponse;
pub use circuit::{winner, Evaluation, FreeStates, TaskCircuit};
pub use cost::Cost;
pub use coupled_learning::coupled_learning_update;
pub use error::LearningError;
pub use gradient::{cost_gradient, gradient_from};
pub use output_response::OutputResponse;
pub use rules::Rule;
pub use step_size::{AutoRate, LearningRate, RateEstimate};
pub(crate) use task::affine_fit;
pub use task::{InputPlane, Readout, Roles, Task, MAX_SAMPLES};
pub use training::{batch, Keep, StepTimings, StopRule, Training, TrainingParameters};
