// The cart: kept in localStorage so it survives a reload; checked out as one order.
import { useEffect, useState } from 'preact/hooks';
import type { Product } from '../types';

export interface CartLine {
  product_id: string;
  name: string;
  price_cents: number;
  quantity: number;
}

export const MAX_LINES = 20; // what POST /sales takes in one order
export const MAX_QTY = 100;
const KEY = 'shop.cart';
const listeners = new Set<() => void>();

export function readCart(): CartLine[] {
  try {
    const lines = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(lines) ? lines.filter((l) => l && typeof l.product_id === 'string') : [];
  } catch {
    return [];
  }
}

function write(lines: CartLine[]): void {
  localStorage.setItem(KEY, JSON.stringify(lines));
  listeners.forEach((fn) => fn());
}

export const clampQty = (n: number) => Math.min(MAX_QTY, Math.max(1, Math.floor(n) || 1));

/** Adds units of a product; returns a reason when the cart cannot take it. */
export function addToCart(p: Product, quantity = 1): string | null {
  const lines = readCart();
  const line = lines.find((l) => l.product_id === p.id);
  if (line) {
    if (line.quantity >= MAX_QTY) return `You already have the most (${MAX_QTY}) of this product in your cart.`;
    line.quantity = clampQty(line.quantity + quantity);
    line.name = p.name;
    line.price_cents = p.price_cents;
  } else {
    if (lines.length >= MAX_LINES) return `A cart holds at most ${MAX_LINES} different products. Check out or remove some first.`;
    lines.push({ product_id: p.id, name: p.name, price_cents: p.price_cents, quantity: clampQty(quantity) });
  }
  write(lines);
  return null;
}

export function setQuantity(productId: string, quantity: number): void {
  write(readCart().map((l) => (l.product_id === productId ? { ...l, quantity: clampQty(quantity) } : l)));
}

export function removeLine(productId: string): void {
  write(readCart().filter((l) => l.product_id !== productId));
}

/** Refreshes names and prices from the catalogue (what checkout will charge). */
export function refreshLine(p: Product): void {
  write(readCart().map((l) => (l.product_id === p.id ? { ...l, name: p.name, price_cents: p.price_cents } : l)));
}

export function clearCart(): void {
  write([]);
}

export function cartTotal(lines: CartLine[]): number {
  return lines.reduce((sum, l) => sum + l.price_cents * l.quantity, 0);
}

/** The cart, re-rendering on every change (also from other tabs). */
export function useCart(): CartLine[] {
  const [lines, setLines] = useState(readCart);
  useEffect(() => {
    const on = () => setLines(readCart());
    const onStorage = (e: StorageEvent) => e.key === KEY && on();
    listeners.add(on);
    addEventListener('storage', onStorage);
    return () => {
      listeners.delete(on);
      removeEventListener('storage', onStorage);
    };
  }, []);
  return lines;
}
