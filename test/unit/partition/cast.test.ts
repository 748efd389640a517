// Casts to the column type (spec §4.3 "Common") and the stored integer forms of temporal types.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { castToColumn } from '../../../src/route/partition/cast.js';
import { daysFromCivil, civilFromDays } from '../../../src/route/partition/datetime.js';
import { ObjType, type PartKeyColumn, type Val } from '../../../src/route/partition/types.js';

function col(objType: number, extra: Partial<PartKeyColumn> = {}): PartKeyColumn {
  return { name: 'c', level: 1, idx: 0, objType, collation: 63, length: -1, precision: -1, scale: -1, extra: '', ...extra };
}

const TZ8 = 8 * 3600;

function cast(x: Parameters<typeof castToColumn>[0], c: PartKeyColumn): Val {
  const v = castToColumn(x, c, TZ8);
  if (typeof v === 'string') assert.fail(v);
  return v;
}

function rejects(x: Parameters<typeof castToColumn>[0], c: PartKeyColumn): void {
  assert.equal(typeof castToColumn(x, c, TZ8), 'string', `expected no route for ${String(x)}`);
}

describe('integer casts', () => {
  test('every width: bounds accepted, one past rejected', () => {
    const cases: [number, bigint, bigint][] = [
      [ObjType.TinyInt, -128n, 127n],
      [ObjType.SmallInt, -32768n, 32767n],
      [ObjType.MediumInt, -8388608n, 8388607n],
      [ObjType.Int32, -2147483648n, 2147483647n],
      [ObjType.Int, -(2n ** 63n), 2n ** 63n - 1n],
      [ObjType.UTinyInt, 0n, 255n],
      [ObjType.USmallInt, 0n, 65535n],
      [ObjType.UMediumInt, 0n, 16777215n],
      [ObjType.UInt32, 0n, 4294967295n],
      [ObjType.UInt64, 0n, 2n ** 64n - 1n],
    ];
    for (const [t, lo, hi] of cases) {
      assert.deepEqual(cast(lo.toString(), col(t)), { t: t >= ObjType.UTinyInt ? 'uint' : 'int', v: lo });
      assert.deepEqual(cast(hi, col(t)), { t: t >= ObjType.UTinyInt ? 'uint' : 'int', v: hi });
      rejects(lo - 1n, col(t));
      rejects((hi + 1n).toString(), col(t));
    }
  });

  test('decimal and exponent text round half away from zero; garbage rejected', () => {
    assert.deepEqual(cast('2.5', col(ObjType.Int)), { t: 'int', v: 3n });
    assert.deepEqual(cast('-2.5', col(ObjType.Int)), { t: 'int', v: -3n });
    assert.deepEqual(cast('1e3', col(ObjType.Int)), { t: 'int', v: 1000n });
    assert.deepEqual(cast(7.4, col(ObjType.Int)), { t: 'int', v: 7n });
    rejects('12abc', col(ObjType.Int));
    rejects('', col(ObjType.Int));
  });
});

describe('decimal, float, double', () => {
  test('DECIMAL(p,s) rounds to scale and checks precision', () => {
    const c = col(ObjType.DecimalInt, { precision: 5, scale: 2 });
    assert.deepEqual(cast('123.456', c), { t: 'decimal', v: 12346n, scale: 2 });
    assert.deepEqual(cast(-1, c), { t: 'decimal', v: -100n, scale: 2 });
    rejects('1000', c);
    rejects('abc', c);
  });

  test('FLOAT rounds to float32, DOUBLE keeps the double', () => {
    assert.deepEqual(cast('0.1', col(ObjType.Float)), { t: 'double', v: Math.fround(0.1) });
    assert.deepEqual(cast('0.1', col(ObjType.Double)), { t: 'double', v: 0.1 });
    assert.deepEqual(cast('1.25', col(ObjType.Double, { precision: 5, scale: 1 })), { t: 'double', v: 1.3 });
    rejects(-1, col(ObjType.UDouble));
  });
});

describe('strings', () => {
  test('length in characters, excess trailing spaces cut, BINARY(n) zero padded', () => {
    const v = cast('héllo', col(ObjType.Varchar, { collation: 45, length: 5 }));
    assert.ok(v.t === 'str' && Buffer.from(v.b).toString() === 'héllo');
    rejects('héllo!', col(ObjType.Varchar, { collation: 45, length: 5 }));
    const cut = cast('ab   ', col(ObjType.Varchar, { collation: 46, length: 3 }));
    assert.ok(cut.t === 'str' && Buffer.from(cut.b).toString() === 'ab ');
    const bin = cast('ab', col(ObjType.Char, { collation: 63, length: 4 }));
    assert.ok(bin.t === 'str' && Buffer.from(bin.b).equals(Buffer.from([0x61, 0x62, 0, 0])));
    rejects(Buffer.from([0xff, 0xfe]), col(ObjType.Varchar, { collation: 45, length: 10 }));
    rejects('x', col(ObjType.Varchar, { collation: 8, length: 10 })); // latin1_swedish_ci: unsupported
  });

  test('numbers become their decimal text', () => {
    const v = cast(42n, col(ObjType.Varchar, { collation: 46, length: 10 }));
    assert.ok(v.t === 'str' && Buffer.from(v.b).toString() === '42');
  });
});

describe('temporal stored integers', () => {
  test('civil day arithmetic', () => {
    assert.equal(daysFromCivil(1970, 1, 1), 0);
    assert.equal(daysFromCivil(2000, 3, 1), 11017);
    assert.equal(daysFromCivil(1969, 12, 31), -1);
    assert.deepEqual(civilFromDays(19723), { y: 2024, m: 1, d: 1 });
  });

  test('DATE is days since epoch; DATETIME µs; TIMESTAMP UTC µs from the session zone', () => {
    assert.deepEqual(cast('2024-01-01', col(ObjType.Date)), { t: 'time', objType: ObjType.Date, v: 19723n });
    assert.deepEqual(cast('20240101', col(ObjType.Date)), { t: 'time', objType: ObjType.Date, v: 19723n });
    assert.deepEqual(cast('2024-01-01 00:00:01', col(ObjType.DateTime, { scale: 0 })), {
      t: 'time',
      objType: ObjType.DateTime,
      v: 19723n * 86400000000n + 1000000n,
    });
    assert.deepEqual(cast('2024-01-01 08:00:00', col(ObjType.Timestamp, { scale: 0 })), {
      t: 'time',
      objType: ObjType.Timestamp,
      v: 19723n * 86400000000n,
    });
    rejects('2024-02-30', col(ObjType.Date));
    rejects('0000-00-00', col(ObjType.Date));
    rejects('1960-01-01 00:00:00', col(ObjType.Timestamp));
  });

  test('fractional seconds round to the column scale (with carry)', () => {
    const base = 19723n * 86400000000n;
    assert.deepEqual(cast('2024-01-01 00:00:00.5', col(ObjType.DateTime, { scale: 0 })), { t: 'time', objType: ObjType.DateTime, v: base + 1000000n });
    assert.deepEqual(cast('2024-01-01 00:00:00.123456', col(ObjType.DateTime, { scale: 3 })), {
      t: 'time',
      objType: ObjType.DateTime,
      v: base + 123000n,
    });
    assert.deepEqual(cast('2023-12-31 23:59:59.9', col(ObjType.DateTime, { scale: 0 })), { t: 'time', objType: ObjType.DateTime, v: base });
  });

  test('TIME and YEAR', () => {
    assert.deepEqual(cast('-01:02:03', col(ObjType.Time, { scale: 0 })), { t: 'time', objType: ObjType.Time, v: -3723000000n });
    assert.deepEqual(cast(2024, col(ObjType.Year)), { t: 'time', objType: ObjType.Year, v: 124n });
    assert.deepEqual(cast('0', col(ObjType.Year)), { t: 'time', objType: ObjType.Year, v: 100n }, "'0' is 2000");
    assert.deepEqual(cast(0, col(ObjType.Year)), { t: 'time', objType: ObjType.Year, v: 0n }, '0 is 0000');
    assert.deepEqual(cast(69, col(ObjType.Year)), { t: 'time', objType: ObjType.Year, v: 169n });
    rejects(1900, col(ObjType.Year));
  });

  test('OB 4.3 packed MySQL date types', () => {
    assert.deepEqual(cast('2024-03-15', col(ObjType.MySQLDate)), { t: 'time', objType: ObjType.MySQLDate, v: BigInt(15 | (3 << 5) | (2024 << 9)) });
    const v = cast('2024-03-15 10:20:30.000004', col(ObjType.MySQLDateTime, { scale: 6 }));
    const want = 4n | (30n << 24n) | (20n << 30n) | (10n << 36n) | (15n << 41n) | (BigInt(2024 * 13 + 3) << 46n);
    assert.deepEqual(v, { t: 'time', objType: ObjType.MySQLDateTime, v: want });
  });
});
