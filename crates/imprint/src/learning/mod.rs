//! Learning (THEORY.md sections 3-4): tasks, costs, Coupled Learning and
//! gradient descent, and training as a resumable stepper.

pub mod builtin;
pub mod config;
pub mod custom;
mod error;
mod problem;
pub mod resolve;
pub mod rules;
mod task;
mod training;

pub use error::LearningError;
pub use problem::{winner, Evaluation, FreeStates, OutputResponse, TrainingProblem};
pub use rules::{cost_gradient, coupled_learning_update, gradient_from, Rule};
pub use task::{Cost, InputPlane, Readout, Roles, Task};
pub use training::{batch, StepTimings, Training, TrainingParameters};
