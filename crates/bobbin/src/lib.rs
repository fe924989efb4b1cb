#![doc = include_str!("../../../docs/guide/index.md")]
#![forbid(unsafe_code)]

pub mod guide;
pub mod logging;
