//! The desk's front doors for inbound mail, started by `frontline serve`: the SMTP listener
//! (`smtp`) and the IMAP pollers (`imap`). Both store a message durably (`receive`) before
//! they acknowledge it; turning it into a ticket is the ingest job's business.

pub mod imap;
pub mod smtp;
