//! Industry guidance funds (SPEC §5): the calculations a fund's ledger needs — pro-rata
//! allocation exact to the cent, XIRR, performance multiples, the distribution
//! waterfall — as pure functions over plain values.

pub mod allocation;
pub mod performance;
pub mod policy;
pub mod waterfall;
pub mod xirr;
