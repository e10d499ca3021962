//! The integration tests: real HTTP against a real server on a real PostgreSQL database,
//! one fresh database per test (see `harness`).

#![allow(dead_code)]

mod fixtures;
mod harness;

mod demo;
mod service;
