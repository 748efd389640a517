// `npm run bench:route`: route parser and partition calculation throughput on one core (issue 4 targets:
// >= 1,000,000 statements/s parsed, >= 5,000,000 integer HASH/KEY partitions/s). Prints one summary line.
import { benchRouteParse } from './route-parse.js';
import { benchPartition } from './partition.js';

const parse = benchRouteParse();
const part = benchPartition();
const ok = parse.statementsPerSec >= 1_000_000 && part.hashPerSec >= 5_000_000 && part.keyPerSec >= 5_000_000;
console.log(`bench:route route_parse_stmts_per_sec=${Math.round(parse.statementsPerSec)} partition_hash_per_sec=${Math.round(part.hashPerSec)} partition_key_per_sec=${Math.round(part.keyPerSec)} targets=${ok ? 'met' : 'NOT met'}`);
