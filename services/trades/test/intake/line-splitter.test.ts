import { splitLines, type RawLine } from '../../src/intake/line-splitter';

async function collect(chunks: (string | Buffer)[], max = 100): Promise<RawLine[]> {
  const out: RawLine[] = [];
  for await (const line of splitLines(chunks, max)) out.push(line);
  return out;
}

describe('splitLines', () => {
  it('when lines arrive split across chunks, then each is whole and numbered from 1', async () => {
    expect(await collect(['ab', 'c\nde', 'f\n\ng'])).toEqual([
      { number: 1, text: 'abc' },
      { number: 2, text: 'def' },
      { number: 3, text: '' },
      { number: 4, text: 'g' },
    ]);
  });

  it('when lines end in CRLF and the upload starts with a BOM, then both are removed', async () => {
    expect(await collect(['\uFEFFa\r\nb\r\n'])).toEqual([
      { number: 1, text: 'a' },
      { number: 2, text: 'b' },
    ]);
  });

  it('when a multi-byte character is split between chunks, then it is decoded whole', async () => {
    const bytes = Buffer.from('é\n', 'utf8');
    expect(await collect([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual([{ number: 1, text: 'é' }]);
  });

  it('when a line is longer than the limit, then it is reported by number and the next line is read', async () => {
    expect(await collect(['x'.repeat(30), 'y'.repeat(30), '\nok\n'], 50)).toEqual([
      { number: 1, tooLong: true },
      { number: 2, text: 'ok' },
    ]);
  });

  it('when the source fails mid-line, then the complete lines come out first and the partial one never', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield 'one\ntwo\nthr';
      await Promise.resolve();
      throw new Error('aborted');
    }
    const seen: RawLine[] = [];
    await expect(
      (async () => {
        for await (const line of splitLines(failing(), 100)) seen.push(line);
      })(),
    ).rejects.toThrow('aborted');
    expect(seen).toEqual([
      { number: 1, text: 'one' },
      { number: 2, text: 'two' },
    ]);
  });
});
