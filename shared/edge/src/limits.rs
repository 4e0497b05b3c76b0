//! The bounds of the numbers the API takes, declared once: the request types validate
//! against these, the domain checks them, and a test holds `openapi.yaml` to them.

/// Units of one product in one purchase.
pub const MAX_QUANTITY: i64 = 100;
/// Lines (distinct products) of one order. An order's reservation is one DynamoDB
/// transaction of one write per line plus the reservation itself, well inside its limit
/// of 100 writes; twenty keeps the sale item, its refunds included, far below 400 KB.
pub const MAX_ORDER_LINES: u64 = 20;
/// Refunds of one sale: each is kept in the sale's item.
pub const MAX_REFUNDS_PER_SALE: usize = 20;
/// A refund's reason, in characters after trimming.
pub const MAX_REASON_CHARS: u64 = 500;
/// A product's price: 1,000,000.00.
pub const MAX_PRICE_CENTS: i64 = 100_000_000;
/// Units of one product in stock.
pub const MAX_STOCK: i64 = 1_000_000;
/// The largest total of one sale, hence of one wallet charge.
pub const MAX_SALE_TOTAL_CENTS: i64 = MAX_ORDER_LINES as i64 * MAX_QUANTITY * MAX_PRICE_CENTS;
/// Largest single deposit: 1,000,000.00.
pub const MAX_DEPOSIT_CENTS: i64 = 100_000_000;
/// Largest wallet balance: 1,000,000,000.00.
pub const MAX_BALANCE_CENTS: i64 = 100_000_000_000;
/// A review's rating.
/// The latest instant an interaction may carry (Unix seconds: 2100-01-01).
pub const MAX_EVENT_TIME: i64 = 4_102_444_800;
pub const MIN_RATING: i64 = 1;
pub const MAX_RATING: i64 = 5;
/// A review's comment, in characters after trimming.
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// A comment as sent, surrounding whitespace included: past this it is refused unread.
pub const MAX_COMMENT_INPUT_CHARS: u64 = 10 * MAX_COMMENT_CHARS as u64;
