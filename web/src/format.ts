// Japanese formatting: yen with Intl.NumberFormat('ja-JP'), dates and times
// in Japan time (Asia/Tokyo) whatever the browser's zone, fiscal years (年度).
import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";

const yenFormat = new Intl.NumberFormat("ja-JP", { style: "currency", currency: "JPY" });
const numberFormat = new Intl.NumberFormat("ja-JP");
const dateTimeFormat = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo", year: "numeric", month: "long", day: "numeric",
  hour: "2-digit", minute: "2-digit",
});

export function yen(amount: bigint | number | undefined): string {
  return yenFormat.format(Number(amount ?? 0));
}

export function count(n: number | bigint | undefined): string {
  return numberFormat.format(Number(n ?? 0));
}

export function dateTime(t: Timestamp | undefined): string {
  return t ? dateTimeFormat.format(timestampDate(t)) : "—";
}

export function fiscalYear(year: number | undefined): string {
  return year ? `${year}年度` : "—";
}

// A <input type="datetime-local"> value, read as Japan time.
// An empty or malformed value is left unset (the server names the field).
export function fromJapanLocal(value: string): Timestamp | undefined {
  const seconds = value.length === 16 ? `${value}:00` : value;
  const date = new Date(`${seconds}+09:00`);
  return Number.isNaN(date.getTime()) ? undefined : timestampFromDate(date);
}

// The other way: a time as a datetime-local value in Japan time.
export function toJapanLocal(date: Date): string {
  const japan = new Date(date.getTime() + 9 * 3600 * 1000);
  return japan.toISOString().slice(0, 16);
}
