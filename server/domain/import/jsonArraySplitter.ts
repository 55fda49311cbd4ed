import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';

type Item = { line: number; text: string } | { line: number; error: string };

/**
 * Cuts a stream of JSON text into its top-level objects without parsing the whole document:
 * either one array of objects (`[{…},{…}]`) or JSON Lines (`{…}\n{…}`). It tracks only string,
 * escape and brace depth, so memory holds one object at a time. Each object keeps the line it
 * started on, for error reports.
 */
export class JsonArraySplitter {
  private mode: 'start' | 'array' | 'lines' | 'done' = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line = 1;
  private objectLine = 0;
  private current: string[] = [];
  private chunkStart = -1;

  push(chunk: string): Item[] {
    const out: Item[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.depth > 0) {
        this.inObject(chunk, i, c, out);
        continue;
      }
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) continue;
      if (c === 44 && this.mode === 'array') continue; // ',' between objects
      if (c === 91 && this.mode === 'start') {
        this.mode = 'array';
        continue;
      }
      if (c === 93 && this.mode === 'array') {
        this.mode = 'done';
        continue;
      }
      if (c === 123 && this.mode !== 'done') {
        if (this.mode === 'start') this.mode = 'lines';
        this.depth = 1;
        this.objectLine = this.line;
        this.chunkStart = i;
        continue;
      }
      throw new HubflashError(ErrorCode.ImportUnreadable, `The JSON import is not an array of objects or JSON Lines: unexpected ${JSON.stringify(String.fromCharCode(c))} on line ${this.line}`, { line: this.line });
    }
    if (this.depth > 0) {
      this.current.push(chunk.slice(this.chunkStart));
      this.chunkStart = 0;
    }
    return out;
  }

  end(): Item[] {
    if (this.depth > 0) return [{ line: this.objectLine, error: 'the file ends inside this object' }];
    if (this.mode === 'array') {
      throw new HubflashError(ErrorCode.ImportUnreadable, 'The JSON import ends before its closing "]"', { line: this.line });
    }
    return [];
  }

  private inObject(chunk: string, i: number, c: number, out: Item[]): void {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === 92) this.escaped = true;
      else if (c === 34) this.inString = false;
      return;
    }
    if (c === 34) this.inString = true;
    else if (c === 123 || c === 91) this.depth++;
    else if (c === 125 || c === 93) {
      this.depth--;
      if (this.depth === 0) {
        this.current.push(chunk.slice(this.chunkStart, i + 1));
        out.push({ line: this.objectLine, text: this.current.join('') });
        this.current = [];
      }
    }
  }
}
