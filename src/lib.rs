//! lianxin (连心): the backend of a township's grid-governance household contact work.
//! See `docs/architecture.md` for how the modules fit together.

pub mod account;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod departments;
pub mod domain;
pub mod error;
pub mod grids;
pub mod households;
pub mod http;
pub mod i18n;
pub mod issues;
pub mod metrics;
pub mod openapi;
pub mod service;
pub mod startup;
pub mod stats;
pub mod tags;
pub mod tasks;
pub mod tenants;
pub mod users;
pub mod visits;
pub mod web;
