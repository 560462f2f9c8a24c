//! frontline-mail's integration tests, one binary: real mail from the shared corpora
//! (`corpus`), the hand-made messages of each decoding defect found in real mail
//! (`decoding`), and every corpus message read as CPython's email package reads it
//! (`cpython`).

mod corpus;
mod cpython;
mod decoding;
mod support;
