// Shapes of the API's JSON bodies (see openapi.yaml); only the fields the pages read.

export type Role = 'customer' | 'admin';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface LoginAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
  customer_id: string;
  role: Role;
}

export interface Customer {
  id: string;
  email: string;
  full_name: string;
  username: string | null;
  address: string | null;
  phone: string | null;
  role: Role;
  wallet_balance_cents: number;
  created_at: string;
  updated_at: string;
}

export interface Product {
  id: string;
  name: string;
  description: string;
  category: string;
  price_cents: number;
  currency: string;
  stock: number;
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at?: string | null;
}

export interface SaleLine {
  product_id: string;
  quantity: number;
  unit_price_cents: number | null;
  line_total_cents: number | null;
  refunded_quantity?: number;
}

export interface RefundLine {
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  line_total_cents: number;
}

export interface Refund {
  id: string;
  sale_id: string;
  items: RefundLine[];
  amount_cents: number;
  restocked: boolean;
  reason: string;
  created_by: string;
  created_at: string;
  status?: 'pending' | 'completed';
}

export type SaleStatus = 'pending' | 'completed' | 'failed' | 'partially_refunded' | 'refunded';

export interface Sale {
  id: string;
  customer_id: string;
  items: SaleLine[];
  total_cents: number | null;
  refunded_cents: number;
  refunds: Refund[];
  status: SaleStatus;
  created_at: string;
}

export type ReviewStatus = 'pending' | 'approved' | 'rejected';

export interface Review {
  id: string;
  product_id: string;
  customer_id: string;
  rating: number;
  comment: string;
  status: ReviewStatus;
  verified_purchase: boolean;
  created_at: string;
  updated_at: string;
  version: number;
  moderated_by?: string | null;
  moderated_at?: string | null;
  moderation_reason?: string | null;
}

export interface ReviewPage extends Page<Review> {
  summary?: { count: number; average_rating: number | null };
}

export interface Scored {
  product_id: string;
  score: number;
}

export interface Recommendations {
  customer_id: string;
  items: Scored[];
  source: 'personalized' | 'popular';
  generated_at: string;
}

export interface Similar {
  product_id: string;
  items: Scored[];
  generated_at: string;
}

export interface HealthStatus {
  status: string;
  service: string;
  version: string;
}

export interface TableHealth {
  service: string;
  table: string;
  status: 'ok' | 'unavailable';
  latency_ms: number;
}

export interface DatabaseHealth extends HealthStatus {
  tables: TableHealth[];
}
