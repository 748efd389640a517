// Decoder of `high_bound_val_bin` / `list_val_bin`: OceanBase's serialization of the high-bound ObRowkey
// (range) or of the list's ObNewRow values. The spec does not give the layout; it was read off real kernel
// rows (seekdb 4.3.5 vectors, where both text and binary are recorded) and is verified against them by
// test/unit/partition/bound-bin.test.ts. metadata.ts still prefers the text column `high_bound_val`.
// Layout: rowkey = varint cell count, then cells. List = varint row count, then per row: varint cell count,
// cells, varint projector size (0). DEFAULT is a row holding one MAX cell. A cell is a 4-byte meta
// (type, cs_level, cs_type, scale) then the value: integers as varints (7 bits per byte, LSB first, no
// zig-zag), strings as varint length + bytes + NUL, decimal-int as varint byte length, one more
// varint (seen equal to the scale) and the LE two's-complement bytes, MySQL DATE/DATETIME packed integers as varints, ObExtendType (MIN/MAX) as a varint.
// Types not seen in kernel rows (tinyint/smallint/year encodings, float, double, ObNumber) are rejected.
// The text protocol delivers the column as text: accepted as hex ('0x...' or all hex digits) or latin1.

import type { BoundItem, BoundTok } from './bound-text.js';
import { temporalFromStored } from './datetime.js';
import { ObjType } from './types.js';

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.b.length) throw new Error('truncated');
    return this.b[this.pos++]!;
  }

  varint(): bigint {
    let shift = 0n;
    let v = 0n;
    for (let i = 0; i < 10; i++) {
      const c = this.byte();
      v |= BigInt(c & 0x7f) << shift;
      if ((c & 0x80) === 0) return BigInt.asIntN(64, v);
      shift += 7n;
    }
    throw new Error('bad varint');
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.b.length) throw new Error('truncated');
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function toBytes(s: string): Uint8Array {
  const t = s.trim();
  if (/^0x[0-9a-fA-F]*$/.test(t)) return Buffer.from(t.slice(2), 'hex');
  if (t.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(t)) return Buffer.from(t, 'hex');
  return Buffer.from(s, 'latin1');
}

function readObj(r: Reader): BoundTok {
  const type = r.byte();
  r.byte(); // cs_level
  const cs = r.byte();
  const scale = (r.byte() << 24) >> 24;
  switch (type) {
    case 0:
      return { k: 'lit', v: null };
    case 3:
    case 4:
    case 5:
      return { k: 'lit', v: r.varint() };
    case 8:
    case 9:
    case 10:
      return { k: 'lit', v: BigInt.asUintN(64, r.varint()) };
    case 22:
    case 23: {
      const len = Number(r.varint());
      const data = r.bytes(len);
      r.byte(); // trailing NUL
      return { k: 'lit', v: cs === 63 ? Uint8Array.from(data) : Buffer.from(data).toString('utf8') };
    }
    case 25: {
      const ext = r.varint();
      return ext === -3n ? { k: 'min' } : { k: 'max' };
    }
    case 39: // seekdb numbering
    case ObjType.DecimalInt: {
      const n = Number(r.varint());
      r.varint(); // a second small field (equal to the scale in every kernel row seen); not needed
      const bytes = r.bytes(n);
      let v = 0n;
      for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
      return { k: 'lit', v: { kind: 'decimal', v: BigInt.asIntN(n * 8, v), scale: Math.max(scale, 0) } };
    }
    case 41:
    case ObjType.MySQLDate:
      return temporalLit(r.varint(), ObjType.MySQLDate);
    case 42:
    case ObjType.MySQLDateTime:
      return temporalLit(r.varint(), ObjType.MySQLDateTime);
    case ObjType.DateTime:
    case ObjType.Date:
    case ObjType.Time:
      return temporalLit(r.varint(), type);
    default:
      throw new Error(`object type ${type} is not decodable from the binary bound`);
  }
}

function temporalLit(v: bigint, objType: number): BoundTok {
  const t = temporalFromStored(v, objType, 0);
  if (t === null) throw new Error(`bad temporal value ${v}`);
  return { k: 'lit', v: t };
}

/** Decodes a binary bound into the same items parseBoundText returns; a string is the error. */
export function decodeBoundBin(text: string, isList: boolean): BoundItem[] | string {
  try {
    const r = new Reader(toBytes(text));
    const out: BoundItem[] = [];
    if (!isList) {
      const n = Number(r.varint());
      for (let i = 0; i < n; i++) out.push(readObj(r));
      if (r.pos !== r.b.length) throw new Error('trailing bytes');
      return out;
    }
    const rows = Number(r.varint());
    for (let j = 0; j < rows; j++) {
      const n = Number(r.varint());
      const items: BoundTok[] = [];
      for (let i = 0; i < n; i++) items.push(readObj(r));
      r.varint(); // projector size
      out.push(items.length === 1 && items[0]!.k === 'max' ? { k: 'default' } : { k: 'row', items });
    }
    if (r.pos !== r.b.length) throw new Error('trailing bytes');
    return out;
  } catch (e) {
    return `binary bound: ${e instanceof Error ? e.message : String(e)}`;
  }
}
