//! Integration tests: the real application, started on port 0 with a fresh database per test and
//! driven over HTTP with a cookie-holding client (see `harness`).
//!
//! By default every test runs on SQLite. With `STRONGROOM_TEST_POSTGRES` set to a PostgreSQL server URL
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`), the same tests run on PostgreSQL: each test gets
//! its own control-plane database, and its workspaces get databases of their own on that server.
//! Kept in one test binary so that the server is linked once.

mod harness;

mod backups;
mod billing;
mod cli;
mod connection_budget;
mod demo;
mod edge;
mod errors;
mod health;
mod identity;
mod languages;
mod mail;
mod metrics;
mod security_headers;
mod security_page;
mod smtp_server;
mod tenancy;
mod workspace_form;
mod workspaces;
