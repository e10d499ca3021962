//! The integration tests: real HTTP against a real server on a real PostgreSQL database,
//! one fresh database per test (see `harness`).

#![allow(dead_code)]

mod citus;
mod fixtures;
mod harness;
mod parallel;

mod audit;
mod auth;
mod calendar;
mod demo;
mod departments;
mod grids;
mod households;
mod import;
mod issues;
mod languages;
mod micro_grids;
mod previews;
mod probes;
mod robustness;
mod row_security;
mod service;
mod statement;
mod stats;
mod stats_rollup;
mod sync;
mod tags;
mod tasks;
mod tenants;
mod users;
mod visits;
mod web;
mod workflow;
mod writes;
