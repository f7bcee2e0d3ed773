// Random-access bytes for the wire walker and tensor payload streaming: one interface over a
// Uint8Array (browser, tests, a model already in memory) and over a file (file-source.js, Node).
// Reads are synchronous: walking a model's fields makes many tiny reads, which a file source
// serves from a 64 KiB window, and payloads are streamed in 4 MiB chunks. Browser-safe.

/** Reads of at most this many bytes go through the window (field headers, names, shapes). */
const SMALL_READ = 16 << 10;

export class ByteSource {
  /** A source over bytes in memory (read() returns copies, so callers may keep or align them). */
  static fromBytes(bytes, name = '<bytes>') {
    const source = new ByteSource(bytes.length, (buf, position) => {
      const n = Math.min(buf.length, bytes.length - position);
      buf.set(bytes.subarray(position, position + n));
      return n;
    }, { name });
    source._bytes = bytes;
    return source;
  }

  /**
   * size: total bytes; readInto(buf, position) fills buf from `position` and returns the count
   * read (0 at the end); close(): releases the backing store; window: bytes of the read-ahead
   * buffer for small reads (0: none, for sources that are memory already).
   */
  constructor(size, readInto, { close = () => {}, name = '<bytes>', window = 0 } = {}) {
    this.size = size;
    this.name = name;
    this._readInto = readInto;
    this._close = close;
    this._window = window ? new Uint8Array(window) : null;
    this._winStart = 0;
    this._winLength = 0;
    this._bytes = null; // the whole source, when it is memory already
  }

  /** Exactly `length` bytes at `offset`, as a new array (throws RangeError past the end). */
  read(offset, length) {
    const view = this.peek(offset, length);
    if (view) return view.slice();
    const buf = new Uint8Array(length);
    this._fill(buf, offset);
    return buf;
  }

  /**
   * `length` bytes at `offset` without a copy where the source holds them (bytes in memory, or a
   * small read through the window): valid only until the next read, so never kept. Null where a
   * copy is needed (a large read from a file). The walker reads field headers this way.
   */
  peek(offset, length) {
    if (offset < 0 || offset + length > this.size) throw new RangeError(`read of ${length} bytes at ${offset} runs past the end (${this.size} bytes)`);
    if (this._bytes) return this._bytes.subarray(offset, offset + length);
    if (!this._window || length > SMALL_READ) return null;
    if (offset < this._winStart || offset + length > this._winStart + this._winLength) {
      this._winStart = offset;
      this._winLength = this._fill(this._window.subarray(0, Math.min(this._window.length, this.size - offset)), offset);
    }
    return this._window.subarray(offset - this._winStart, offset - this._winStart + length);
  }

  _fill(buf, offset) {
    let got = 0;
    while (got < buf.length) {
      const n = this._readInto(buf.subarray(got), offset + got);
      if (!n) throw new RangeError(`unexpected end of data at ${offset + got}`);
      got += n;
    }
    return got;
  }

  /** Yields [offset, offset + length) in chunks of at most `chunk` bytes. */
  *chunks(offset, length, chunk = 4 << 20) {
    for (let done = 0; done < length; done += chunk) yield this.read(offset + done, Math.min(chunk, length - done));
  }

  close() {
    this._close();
    this._close = () => {};
  }
}
