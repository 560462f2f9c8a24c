//! Bulk loading for `frontline generate`: many rows per statement, in large transactions.
