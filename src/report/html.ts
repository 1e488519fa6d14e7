/** HTML escaping and number formatting shared by the report renderer. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * A metric value for a table: 4 significant digits, exponent form for very large or very small
 * magnitudes, integers as they are. `null`/`undefined` (no value) render as an em dash.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

/** Lowercase, hyphenated form of a title for use in an element id. */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s === '' ? 'section' : s.slice(0, 48);
}

/**
 * Throw if `html` would make a browser load anything from elsewhere: a `src`/`href` to an
 * http(s) or protocol-relative address, a CSS `url(...)` to one, or an `@import`. Reports must
 * open offline and leak nothing when viewed.
 */
export function assertSelfContained(html: string, where: string): void {
  const external =
    /\b(?:src|href|xlink:href|action|poster|srcset)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i.exec(html) ?? /url\(\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i.exec(html) ?? /@import\b/i.exec(html);
  if (external !== null) {
    const at = external.index;
    throw new Error(`${where} refers to an external resource: …${html.slice(Math.max(0, at - 20), at + 60)}…`);
  }
}
