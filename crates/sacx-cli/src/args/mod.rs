//! Command-line argument groups, each turned into a library's validated
//! parameters.
pub mod corpus;
pub mod ig;
pub mod keywords;
pub mod model;
