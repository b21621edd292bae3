/** Moving dead letters back to the topic they failed on, written against the port so it works on every adapter. */
import { DLQ_HEADERS, withoutDeadLetterHeaders } from './envelope';
import { BusError, deadLetterTopic, type Bus, type BusMessage, type PublishMessage } from './port';

export interface ReplayOptions {
  /** Consumer group on `<topic>.dlq`; its committed offsets make a second replay skip what the first moved. */
  group?: string;
  /** Most dead letters to move in this call. */
  limit?: number;
  /**
   * The replay also ends when no dead letter arrived for this long: the group may have moved some letters
   * already, and the port does not say where a group stands.
   */
  idleMs?: number;
}

/**
 * Republishes the dead letters of `topic` that are there when it starts to their original topic with the same
 * id, key, type, source, subject, time and data (the `dlq-*` headers dropped), and resolves with how many were
 * moved. Letters that arrive meanwhile (a replayed message failing again, say) wait for the next replay, so a
 * replay always ends. A letter is committed on the dead-letter topic only once its republish was acknowledged;
 * if a republish fails the replay stops, leaves that letter in place and rejects.
 */
export async function replayDeadLetters(
  bus: Bus,
  topic: string,
  options: ReplayOptions = {},
): Promise<number> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const idleMs = options.idleMs ?? 2000;
  if (limit <= 0) return 0;
  const dlq = deadLetterTopic(topic);
  const partitions = await bus.partitionOffsets(dlq);
  // The last letter of each partition when the replay starts; a partition leaves the map once it is reached.
  const lastOf = new Map(
    partitions.filter((p) => p.end !== p.start).map((p) => [p.partition, BigInt(p.end) - 1n]),
  );
  if (lastOf.size === 0) return 0;
  const stop = new AbortController();
  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdleTimer = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => stop.abort(), idleMs);
  };
  let replayed = 0;
  let failure: Error | undefined;

  const stoppedError = () =>
    new BusError('BUS.REPLAY_STOPPED', 'The replay has stopped.', { retriable: true });

  const handle = await bus.subscribe({
    group: options.group ?? `${dlq}-replay`,
    topics: [dlq],
    fromBeginning: true,
    signal: stop.signal,
    // Partitions apart: one waiting on a letter that came later must not hold up the others.
    concurrency: partitions.length,
    // Every throw below happens after `stop` aborted, so the letter is left uncommitted, never re-dead-lettered.
    retry: { maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1 } },
    handler: async (letter) => {
      if (stop.signal.aborted) throw stoppedError();
      const last = lastOf.get(letter.partition);
      if (last === undefined || BigInt(letter.offset) > last) {
        // Arrived after the start: hold it (uncommitted) until the replay ends.
        await stopped;
        throw stoppedError();
      }
      clearTimeout(idleTimer);
      try {
        await bus.publish(replayedMessage(letter, topic));
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
        stop.abort();
        throw err;
      }
      replayed++;
      if (BigInt(letter.offset) >= last) lastOf.delete(letter.partition);
      if (replayed >= limit || lastOf.size === 0) stop.abort();
      else armIdleTimer();
    },
  });
  armIdleTimer();
  await stopped;
  clearTimeout(idleTimer);
  await handle.close();
  if (failure !== undefined) throw failure;
  return replayed;
}

function replayedMessage(letter: BusMessage, topic: string): PublishMessage {
  return {
    topic: letter.headers[DLQ_HEADERS.originalTopic] ?? topic,
    key: letter.key,
    type: letter.type,
    data: letter.data,
    id: letter.id,
    source: letter.source,
    ...(letter.subject === undefined ? {} : { subject: letter.subject }),
    ...(letter.time === '' ? {} : { time: letter.time }),
    headers: withoutDeadLetterHeaders(letter.headers),
  };
}
