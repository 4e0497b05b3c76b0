//! The bounds of what the API takes, declared once: the request types validate against
//! these (their messages name them), the domain checks them, and a test holds
//! `openapi.yaml`'s numeric bounds to them. Text is counted in characters.

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
/// The latest instant an interaction may carry (Unix seconds: 2100-01-01).
pub const MAX_EVENT_TIME: i64 = 4_102_444_800;
/// A review's rating.
pub const MIN_RATING: i64 = 1;
pub const MAX_RATING: i64 = 5;
/// A review's comment, in characters after trimming.
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// A comment as sent, surrounding whitespace included: past this it is refused unread.
pub const MAX_COMMENT_INPUT_CHARS: u64 = 10 * MAX_COMMENT_CHARS as u64;

/// An id the platform made (a ULID), as text.
pub const ID_CHARS: u64 = 26;
/// A product id as a request names it (a malformed one is answered as unknown).
pub const MAX_PRODUCT_ID_CHARS: u64 = 64;
/// Units in one line of an order or a reservation.
pub const MIN_QUANTITY: i64 = 1;
/// Products one availability question may name.
pub const MAX_AVAILABILITY_IDS: u64 = 200;
/// Interactions one call may record.
pub const MAX_INTERACTIONS_PER_CALL: u64 = 100;
/// An interaction's event id and source.
pub const MAX_EVENT_ID_CHARS: u64 = 80;
pub const MAX_SOURCE_CHARS: u64 = 20;
/// An interaction's strength.
pub const MAX_STRENGTH: f32 = 1_000.0;

/// Accounts.
pub const MAX_EMAIL_CHARS: u64 = 254;
pub const MIN_PASSWORD_CHARS: u64 = 8;
pub const MAX_PASSWORD_CHARS: u64 = 128;
pub const MAX_FULL_NAME_CHARS: u64 = 100;
pub const MIN_USERNAME_CHARS: u64 = 3;
pub const MAX_USERNAME_CHARS: u64 = 30;
pub const MAX_ADDRESS_CHARS: u64 = 200;
pub const MIN_PHONE_DIGITS: usize = 5;
pub const MAX_PHONE_DIGITS: usize = 15;
pub const MAX_REFRESH_TOKEN_CHARS: u64 = 200;

/// Products.
pub const MAX_PRODUCT_NAME_CHARS: u64 = 200;
pub const MAX_DESCRIPTION_CHARS: u64 = 5_000;
pub const MAX_CATEGORY_CHARS: u64 = 50;
/// A catalogue search (`q`), after trimming.
pub const MAX_SEARCH_CHARS: usize = 100;

/// A moderator's reason for rejecting a review.
pub const MAX_MODERATION_REASON_CHARS: u64 = 500;

/// An `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;

/// Items of one page of a listing (`?limit=`), and when none is asked for.
pub const MAX_PAGE_SIZE: i64 = 100;
pub const DEFAULT_PAGE_SIZE: i64 = 20;
/// Recommendations or similar products of one answer (`?limit=`), and by default.
pub const MAX_RECOMMENDATIONS: i64 = 50;
pub const DEFAULT_RECOMMENDATIONS: i64 = 10;
