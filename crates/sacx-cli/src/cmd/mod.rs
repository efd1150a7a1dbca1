//! One module per subcommand.
pub mod count_words;
pub mod doctor;
pub mod evaluate;
pub mod explain;
pub mod keywords;
pub mod map;
pub mod predict;
pub mod reading;
pub mod report;
pub mod run;
pub mod search;
pub mod select;
pub mod simulate;
pub mod slurm;
pub mod train;
