/** Number and time formatting shared by every layer (log lines, assertions, reports), fixed to one locale so output is reproducible. */
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const precise = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : integer.format(n);
}

export function formatRate(perSec: number): string {
  return Number.isFinite(perSec) ? `${decimal.format(perSec)}/s` : "—";
}

/** Milliseconds below a second, seconds with two decimals above. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  return Math.abs(ms) < 1_000 ? `${decimal.format(ms)} ms` : `${precise.format(ms / 1_000)} s`;
}

export function formatSeconds(s: number): string {
  return Number.isFinite(s) ? `${precise.format(s)} s` : "—";
}

export function formatNumber(n: number): string {
  return Number.isFinite(n) ? precise.format(n) : "—";
}

/** A figure a run may not have measured: "not measured", never a 0 that reads as a result. */
export function formatMeasured(n: number | null, format: (n: number) => string = formatNumber): string {
  return n === null ? "not measured" : format(n);
}

export function formatPercent(fraction: number): string {
  return `${decimal.format(fraction * 100)} %`;
}
