// Response tracker: a pure state machine fed with the packets of one server response (through PacketScanner).
// It decides where the response ends and learns the status flags, decoding only OK/EOF/ERR and a few headers;
// rows and column definitions are never decoded (STYLE.md habit 4). Grammar:
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response.html
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html#sect_protocol_com_stmt_prepare_response
//
// Disambiguation rules (first payload byte, payload length):
//  - a terminator in a row stream is 0xFE with length < 9 (EOF) or, with CLIENT_DEPRECATE_EOF, < 0xFFFFFF (OK);
//    a text row starting with 0xFE (8-byte length prefix) is always >= 0xFFFFFF long.
//  - 0xFF is an ERR packet wherever a row may appear (0xFF is not a valid length prefix).

import { MAX_PHYSICAL_PAYLOAD, type PacketHandler } from './framer.js';

export const ServerStatusBits = {
  IN_TRANS: 0x0001,
  AUTOCOMMIT: 0x0002,
  MORE_RESULTS_EXISTS: 0x0008,
  CURSOR_EXISTS: 0x0040,
  LAST_ROW_SENT: 0x0080,
  SESSION_STATE_CHANGED: 0x4000,
} as const;

/** How the response to a command is shaped. */
export type ResponseMode =
  | 'result' // COM_QUERY, COM_STMT_EXECUTE, COM_PROCESS_INFO, COM_STMT_BULK_EXECUTE: OK | ERR | LOCAL INFILE | result sets
  | 'prepare' // COM_STMT_PREPARE: PREPARE_OK + param defs + column defs, or ERR
  | 'fetch' // COM_STMT_FETCH: rows then a terminator, or ERR
  | 'field_list' // COM_FIELD_LIST: column defs then a terminator, or ERR
  | 'single'; // everything else that answers: exactly one packet (OK, ERR, EOF or a raw string)

type State =
  | 'first'
  | 'columns'
  | 'columns_eof'
  | 'rows'
  | 'prepare_params'
  | 'prepare_params_eof'
  | 'prepare_columns'
  | 'prepare_columns_eof'
  | 'infile'
  | 'done';

export interface PrepareInfo {
  statementId: number;
  numColumns: number;
  numParams: number;
}

/** Reads a length-encoded integer's byte size at buf[pos]; -1 for 0xFB/0xFF markers. */
function lenencSize(b: number): number {
  if (b < 0xfb) return 1;
  if (b === 0xfc) return 3;
  if (b === 0xfd) return 4;
  if (b === 0xfe) return 9;
  return -1;
}

function readLenenc(buf: Buffer, pos: number): number {
  const b = buf[pos]!;
  if (b < 0xfb) return b;
  if (b === 0xfc) return buf.readUInt16LE(pos + 1);
  if (b === 0xfd) return buf.readUIntLE(pos + 1, 3);
  // 8-byte values beyond 2^53 never occur for counts we read here.
  return Number(buf.readBigUInt64LE(pos + 1));
}

export class ResponseTracker implements PacketHandler {
  mode: ResponseMode = 'single';
  /** The request was a COM_STMT_EXECUTE with a cursor flag (CURSOR_EXISTS then ends the result after its columns). */
  cursorRequested = false;
  state: State = 'done';
  deprecateEof = false;
  /** Status flags of the last OK/EOF seen (starts at the session's previous value). */
  status = 0;
  /** Errno of the ERR packet that ended the response, 0 if none. */
  errno = 0;
  sqlState = '';
  errorMessage = '';
  /** The server asked the client for a LOCAL INFILE; the scanner stopped right after that packet. */
  infileRequested = false;
  infileName = '';
  prepare: PrepareInfo | null = null;
  /** Copy of the last OK packet's payload when it carried session-state changes (small; owned). */
  lastSessionOk: Buffer | null = null;
  affectedRows = 0;
  lastInsertId = 0;
  warnings = 0;
  resultSets = 0;
  rows = 0;
  private columnsLeft = 0;
  private paramsLeft = 0;
  private pendingKind: 0 | 1 | 2 | 3 | 4 | 5 = 0; // 0 skip, 1 OK, 2 ERR, 3 EOF, 4 column count, 5 prepare-ok/infile/raw

  get done(): boolean {
    return this.state === 'done';
  }

  /** Arms the tracker for the response to one command. */
  begin(mode: ResponseMode, deprecateEof: boolean, cursorRequested = false): void {
    this.mode = mode;
    this.cursorRequested = cursorRequested;
    this.deprecateEof = deprecateEof;
    this.state = mode === 'fetch' ? 'rows' : mode === 'field_list' ? 'columns' : 'first';
    this.columnsLeft = mode === 'field_list' ? Number.MAX_SAFE_INTEGER : 0;
    this.errno = 0;
    this.sqlState = '';
    this.errorMessage = '';
    this.infileRequested = false;
    this.infileName = '';
    this.prepare = null;
    this.lastSessionOk = null;
    this.affectedRows = 0;
    this.lastInsertId = 0;
    this.warnings = 0;
    this.resultSets = 0;
    this.rows = 0;
  }

  /** After the client finished sending a LOCAL INFILE, the server answers with OK or ERR. */
  afterInfile(): void {
    this.infileRequested = false;
    this.state = 'first';
  }

  private isTerminator(len: number, first: number): boolean {
    return first === 0xfe && (this.deprecateEof ? len < MAX_PHYSICAL_PAYLOAD : len < 9);
  }

  onHeader(len: number, _seq: number, first: number): number {
    this.pendingKind = 0;
    switch (this.state) {
      case 'first':
        if (this.mode === 'single') return this.want(first === 0x00 ? 1 : first === 0xff ? 2 : first === 0xfe && len < 9 ? 3 : 5, len);
        if (first === 0xff) return this.want(2, len);
        if (first === 0x00) return this.want(this.mode === 'prepare' ? 5 : 1, len);
        if (first === 0xfb && this.mode === 'result') return this.want(5, len);
        if (this.mode === 'prepare') return this.want(5, len);
        if (first === 0xfe && len < MAX_PHYSICAL_PAYLOAD) return this.want(len < 9 ? 3 : 1, len);
        return this.want(4, Math.min(len, 9));
      case 'columns':
        if (this.mode === 'field_list' && (first === 0xff || this.isTerminator(len, first))) {
          return this.want(first === 0xff ? 2 : len < 9 ? 3 : 1, len);
        }
        return 0;
      case 'columns_eof':
      case 'prepare_params_eof':
      case 'prepare_columns_eof':
        return this.want(first === 0xff ? 2 : 3, len);
      case 'rows':
        if (first === 0xff) return this.want(2, len);
        if (this.isTerminator(len, first)) return this.want(len < 9 && !this.deprecateEof ? 3 : 1, len);
        return 0;
      case 'prepare_params':
      case 'prepare_columns':
      case 'infile':
      case 'done':
        return 0;
    }
  }

  private want(kind: 1 | 2 | 3 | 4 | 5, bytes: number): number {
    this.pendingKind = kind;
    return bytes === 0 ? Infinity : bytes;
  }

  onPacket(buf: Buffer, start: number, end: number): boolean {
    switch (this.pendingKind) {
      case 1:
        this.readOk(buf, start, end);
        break;
      case 2:
        this.readErr(buf, start, end);
        break;
      case 3:
        this.readEof(buf, start, end);
        break;
      case 4:
        this.readColumnCount(buf, start, end);
        break;
      case 5:
        this.readOther(buf, start, end);
        break;
      case 0:
        break;
    }
    return true;
  }

  onPacketEnd(): boolean {
    switch (this.state) {
      case 'columns':
        if (this.pendingKind === 0 && --this.columnsLeft === 0) this.state = this.deprecateEof ? 'rows' : 'columns_eof';
        break;
      case 'rows':
        if (this.pendingKind === 0) this.rows++;
        break;
      case 'prepare_params':
        if (this.pendingKind === 0 && --this.paramsLeft === 0) this.state = this.deprecateEof ? this.afterParams() : 'prepare_params_eof';
        break;
      case 'prepare_columns':
        if (this.pendingKind === 0 && --this.columnsLeft === 0) this.state = this.deprecateEof ? 'done' : 'prepare_columns_eof';
        break;
      case 'first':
      case 'columns_eof':
      case 'prepare_params_eof':
      case 'prepare_columns_eof':
      case 'infile':
      case 'done':
        break;
    }
    this.pendingKind = 0;
    return this.state !== 'done' && this.state !== 'infile';
  }

  private afterParams(): State {
    return this.columnsLeft > 0 ? 'prepare_columns' : 'done';
  }

  /** OK packet (0x00, or 0xFE as a terminator with CLIENT_DEPRECATE_EOF). */
  private readOk(buf: Buffer, start: number, end: number): void {
    let p = start + 1;
    const s1 = lenencSize(buf[p] ?? 0);
    if (s1 < 0 || p + s1 > end) return this.malformed();
    this.affectedRows = readLenenc(buf, p);
    p += s1;
    const s2 = lenencSize(buf[p] ?? 0);
    if (s2 < 0 || p + s2 + 4 > end) return this.malformed();
    this.lastInsertId = readLenenc(buf, p);
    p += s2;
    this.status = buf.readUInt16LE(p);
    this.warnings = buf.readUInt16LE(p + 2);
    if ((this.status & ServerStatusBits.SESSION_STATE_CHANGED) !== 0) {
      // Owned copy: the session decodes it after the chunk is gone. Small and rare.
      this.lastSessionOk = Buffer.from(buf.subarray(start, end));
    }
    this.endOfResult();
  }

  private readEof(buf: Buffer, start: number, end: number): void {
    if (end - start >= 5) {
      this.warnings = buf.readUInt16LE(start + 1);
      this.status = buf.readUInt16LE(start + 3);
    }
    switch (this.state) {
      case 'columns_eof':
        // A cursor was opened (COM_STMT_EXECUTE with a cursor flag): no rows follow in this response. The server
        // also sets CURSOR_EXISTS on ordinary result sets while a stored program has a cursor open: only a request
        // that asked for a cursor ends here.
        if (this.cursorRequested && (this.status & ServerStatusBits.CURSOR_EXISTS) !== 0) this.endOfResult();
        else this.state = 'rows';
        return;
      case 'prepare_params_eof':
        this.state = this.afterParams();
        return;
      case 'prepare_columns_eof':
        this.state = 'done';
        return;
      case 'first':
      case 'columns':
      case 'rows':
      case 'prepare_params':
      case 'prepare_columns':
      case 'infile':
      case 'done':
        this.endOfResult();
        return;
    }
  }

  private readErr(buf: Buffer, start: number, end: number): void {
    if (end - start >= 3) this.errno = buf.readUInt16LE(start + 1);
    let p = start + 3;
    if (buf[p] === 0x23 && end - p >= 6) {
      this.sqlState = buf.toString('latin1', p + 1, p + 6);
      p += 6;
    }
    this.errorMessage = buf.toString('utf8', p, end);
    this.state = 'done';
  }

  private readColumnCount(buf: Buffer, start: number, end: number): void {
    const s = lenencSize(buf[start] ?? 0);
    if (s < 0 || start + s > end) return this.malformed();
    this.columnsLeft = readLenenc(buf, start);
    this.resultSets++;
    this.state = this.columnsLeft > 0 ? 'columns' : 'rows';
  }

  private readOther(buf: Buffer, start: number, end: number): void {
    if (this.mode === 'single') {
      this.state = 'done';
      return;
    }
    if (this.mode === 'prepare') {
      if (end - start < 12) return this.malformed();
      this.prepare = {
        statementId: buf.readUInt32LE(start + 1),
        numColumns: buf.readUInt16LE(start + 5),
        numParams: buf.readUInt16LE(start + 7),
      };
      this.warnings = buf.readUInt16LE(start + 10);
      this.paramsLeft = this.prepare.numParams;
      this.columnsLeft = this.prepare.numColumns;
      this.state = this.paramsLeft > 0 ? 'prepare_params' : this.columnsLeft > 0 ? 'prepare_columns' : 'done';
      return;
    }
    // 0xFB: LOCAL INFILE request carrying the file name.
    this.infileRequested = true;
    this.infileName = buf.toString('utf8', start + 1, end);
    this.state = 'infile';
  }

  /** One result (OK or terminator) ended: another follows if the server said so. */
  private endOfResult(): void {
    this.state = (this.status & ServerStatusBits.MORE_RESULTS_EXISTS) !== 0 ? 'first' : 'done';
  }

  private malformed(): void {
    this.errno = -1;
    this.errorMessage = 'malformed response packet';
    this.state = 'done';
  }
}
