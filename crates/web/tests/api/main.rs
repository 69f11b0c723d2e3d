//! Black-box HTTP tests: one binary, every test on SQLite and on PostgreSQL.

mod helpers;

mod amounts;
mod assess;
mod audit;
mod auth;
mod chains;
mod delivery;
mod disclosure;
mod forms;
mod imports;
mod leads;
mod merges;
mod notify;
mod openapi;
mod pages;
mod parks;
mod projects;
mod quota;
mod requests;
mod review;
mod scope;
mod scope_matrix;
mod stats;
mod upgrade;
mod versions;
