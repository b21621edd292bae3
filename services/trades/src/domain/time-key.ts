/** The sortable time key of the account index: UTC, fixed width, so text order is time order. */

/** `tradeTime` (ISO-8601 with any offset) as a UTC instant with milliseconds (`2025-06-02T14:30:00.000Z`). */
export function utcInstant(isoWithOffset: string): string {
  return new Date(isoWithOffset).toISOString();
}

/** The account index's sort key of a trade: its UTC trade time, then its id so equal times stay distinct. */
export function accountTimeKey(tradeTime: string, tradeId: string): string {
  return `${utcInstant(tradeTime)}#${tradeId}`;
}
