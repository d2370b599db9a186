/** The contract's shapes (docs/api.md), as the storefronts use them. */

export interface Product {
  id: number;
  name: string;
  description?: string;
  price: string;
  category_id: number;
  stock: number;
}

export interface Cart {
  items: { product_id: number; name: string; price: string; quantity: number; line_total: string }[];
  total: string;
}

export interface OrderStep {
  name: string;
  service: string;
  started_at: string;
  duration_ms: number;
}

export interface Order {
  id: number;
  status: string;
  total: string;
  failure_reason: string | null;
  created_at: string;
  processing_duration_ms: number | null;
  completion_duration_ms: number | null;
  email_sent_at: string | null;
  steps: OrderStep[];
}

export const FINAL_STATUSES = new Set(['confirmed', 'cancelled']);
