// Route diagnosis text (spec §9): the expected texts are written by hand from the spec's format rules — blank line,
// Trans queries, Route Prompts (stopping at the first WARN), two blank lines, Route Plan with 2 × (depth − 1) spaces
// of indentation, `> NAME:{k:v, ...}`, strings quoted, `error:<code>` first, virtual START headers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_POINTS, RouteDiagnosis, diagnosisLogBody } from '../../../src/observe/route-diagnosis.js';
import { formatDiagnosisLine } from '../../../src/observe/log-formats.js';

function partitionRoute(dg: RouteDiagnosis): void {
  dg.point('SQL_PARSE');
  dg.f('cmd', 'COM_QUERY').f('table', 't_key');
  dg.point('ROUTE_INFO');
  const ri = dg.lastIndex();
  dg.point('LOCATION_CACHE_LOOKUP');
  dg.f('mode', 'oceanbase');
  dg.point('FETCH_TABLE_RELATED_DATA');
  dg.f('part_level', 1).f('part_expr', 'k');
  dg.point('TABLE_ENTRY_LOOKUP_DONE');
  dg.f('table', 't_key').f('table_id', '500020').f('table_type', 'USER TABLE').f('partition_num', 7).f('entry_from_remote', false);
  dg.point('EXPR_PARSE');
  dg.f('col_val', 'k=13');
  dg.point('RESOLVE_EXPR');
  dg.f('part_range', '[13 ; 13]');
  dg.point('RESOLVE_TOKEN');
  dg.f('token_type', 'TOKEN_INT_VAL').f('resolve', 'BIGINT:13').f('token', '13');
  dg.point('CALC_PARTITION_ID');
  dg.f('part_description', 'partition by key(INT<binary>) partitions 7');
  dg.point('PARTITION_ID_CALC_DONE');
  dg.f('partition_id', 200023).f('level', 1).f('part_name', 'p3');
  dg.point('PARTITION_ENTRY_LOOKUP_DONE');
  dg.f('leader', '127.0.0.2:2881').f('entry_from_remote', false);
  dg.reopen(ri);
  dg.f('route_info_type', 'USE_PARTITION_LOCATION_LOOKUP');
  dg.point('ROUTE_POLICY');
  dg.f('chosen_route_type', 'ROUTE_TYPE_LEADER');
  dg.point('CONGESTION_CONTROL');
  dg.f('svr_addr', '127.0.0.2:2881');
}

describe('RouteDiagnosis text', () => {
  test('a level-4 partition route prints every point, indented, with the virtual START headers', () => {
    const dg = new RouteDiagnosis();
    dg.begin(4, false, 'SELECT v FROM t_key WHERE k = 13', false);
    partitionRoute(dg);
    dg.point('HANDLE_RESPONSE');
    dg.f('is_parititon_hit', true).f('send_action', 'SERVER_SEND_REQUEST').f('state', 'TRANSACTION_COMPLETE');
    const expected = [
      '',
      'Trans Current Query:"SELECT v FROM t_key WHERE k = 13"',
      '',
      'Route Prompts',
      '-----------------',
      '',
      '',
      'Route Plan',
      '-----------------',
      '> SQL_PARSE:{cmd:"COM_QUERY", table:"t_key"}',
      '> ROUTE_INFO:{route_info_type:"USE_PARTITION_LOCATION_LOOKUP"}',
      '> LOCATION_CACHE_LOOKUP:{mode:"oceanbase"}',
      '  > TABLE_ENTRY_LOOKUP_START:{}',
      '    > FETCH_TABLE_RELATED_DATA:{part_level:1, part_expr:"k"}',
      '  > TABLE_ENTRY_LOOKUP_DONE:{table:"t_key", table_id:"500020", table_type:"USER TABLE", partition_num:7, entry_from_remote:false}',
      '  > PARTITION_ID_CALC_START:{}',
      '    > EXPR_PARSE:{col_val:"k=13"}',
      '    > RESOLVE_EXPR:{part_range:"[13 ; 13]"}',
      '      > RESOLVE_TOKEN:{token_type:"TOKEN_INT_VAL", resolve:"BIGINT:13", token:"13"}',
      '    > CALC_PARTITION_ID:{part_description:"partition by key(INT<binary>) partitions 7"}',
      '  > PARTITION_ID_CALC_DONE:{partition_id:200023, level:1, part_name:"p3"}',
      '  > PARTITION_ENTRY_LOOKUP_DONE:{leader:"127.0.0.2:2881", entry_from_remote:false}',
      '> ROUTE_POLICY:{chosen_route_type:"ROUTE_TYPE_LEADER"}',
      '> CONGESTION_CONTROL:{svr_addr:"127.0.0.2:2881"}',
      '> HANDLE_RESPONSE:{is_parititon_hit:true, send_action:"SERVER_SEND_REQUEST", state:"TRANSACTION_COMPLETE"}',
    ].join('\n');
    assert.equal(dg.format(), expected);
  });

  test('level 2 records neither level-3 nor level-4 points (no START headers then)', () => {
    const dg = new RouteDiagnosis();
    dg.begin(2, false, 'SELECT v FROM t_key WHERE k = 13', false);
    partitionRoute(dg);
    const plan = dg.format().split('Route Plan\n-----------------\n')[1];
    assert.equal(plan, [
      '> SQL_PARSE:{cmd:"COM_QUERY", table:"t_key"}',
      '> ROUTE_INFO:{route_info_type:"USE_PARTITION_LOCATION_LOOKUP"}',
      '> LOCATION_CACHE_LOOKUP:{mode:"oceanbase"}',
      '  > TABLE_ENTRY_LOOKUP_DONE:{table:"t_key", table_id:"500020", table_type:"USER TABLE", partition_num:7, entry_from_remote:false}',
      '  > PARTITION_ID_CALC_DONE:{partition_id:200023, level:1, part_name:"p3"}',
      '  > PARTITION_ENTRY_LOOKUP_DONE:{leader:"127.0.0.2:2881", entry_from_remote:false}',
      '> ROUTE_POLICY:{chosen_route_type:"ROUTE_TYPE_LEADER"}',
      '> CONGESTION_CONTROL:{svr_addr:"127.0.0.2:2881"}',
    ].join('\n'));
  });

  test('level 1 keeps only level-1 points', () => {
    const dg = new RouteDiagnosis();
    dg.begin(1, false, 'x', false);
    partitionRoute(dg);
    assert.deepEqual(Array.from({ length: dg.size }, (_, i) => dg.nameAt(i)), ['SQL_PARSE', 'ROUTE_INFO', 'LOCATION_CACHE_LOOKUP', 'ROUTE_POLICY', 'CONGESTION_CONTROL']);
  });

  test('prompts: INFO lines, stop at the first WARN; error code first; transaction header', () => {
    const dg = new RouteDiagnosis();
    dg.begin(2, false, 'BEGIN', false);
    dg.end();
    dg.begin(2, false, 'UPDATE t SET v = 1 WHERE id = 1', true);
    dg.end();
    dg.begin(2, false, 'SELECT 1', true);
    dg.point('SQL_PARSE');
    dg.f('cmd', 'COM_QUERY').f('table', '').prompt(false, 'no table');
    dg.point('ROUTE_INFO');
    dg.f('route_info_type', 'USE_LAST_SESSION').f('in_transaction', true).prompt(false, 'in a transaction');
    dg.point('HANDLE_RESPONSE');
    dg.error(-4012).f('state', 'CONNECT_ERROR').prompt(true, 'could not connect');
    dg.point('RETRY');
    dg.f('retry_status', 'FOUND_EXISTING_ADDR').f('retry_addr', '127.0.0.3:2881').f('attempts', 1).prompt(false, 'retried');
    assert.equal(dg.format(), [
      '',
      'Trans First Query:"UPDATE t SET v = 1 WHERE id = 1"',
      'Trans Current Query:"SELECT 1"',
      '',
      'Route Prompts',
      '-----------------',
      '> SQL_PARSE',
      '  [INFO] no table',
      '> ROUTE_INFO',
      '  [INFO] in a transaction',
      '> HANDLE_RESPONSE',
      '  [WARN] could not connect',
      '',
      '',
      'Route Plan',
      '-----------------',
      '> SQL_PARSE:{cmd:"COM_QUERY", table:""}',
      '> ROUTE_INFO:{route_info_type:"USE_LAST_SESSION", in_transaction:true}',
      '> HANDLE_RESPONSE:{error:-4012, state:"CONNECT_ERROR"}',
      '> RETRY:{retry_status:"FOUND_EXISTING_ADDR", retry_addr:"127.0.0.3:2881", attempts:1}',
    ].join('\n'));
    assert.equal(dg.field('RETRY', 'attempts'), 1);
    assert.equal(dg.field('ROUTE_INFO', 'svr_addr'), undefined);
  });

  test('the first statement of a transaction is its own Trans First Query; outside one there is none', () => {
    const dg = new RouteDiagnosis();
    dg.begin(2, false, 'INSERT 1', true);
    assert.equal(dg.firstInTxn, true);
    assert.match(dg.format(), /^\nTrans First Query:"INSERT 1"\nTrans Current Query:"INSERT 1"\n/);
    dg.begin(2, false, 'INSERT 2', true);
    assert.equal(dg.firstInTxn, false);
    assert.match(dg.format(), /^\nTrans First Query:"INSERT 1"\nTrans Current Query:"INSERT 2"\n/);
    dg.begin(2, false, 'SELECT 3', false);
    assert.match(dg.format(), /^\nTrans Current Query:"SELECT 3"\n/);
  });

  test('truncate() drops points recorded by a first routing pass; at most 128 points are kept', () => {
    const dg = new RouteDiagnosis();
    dg.begin(4, false, 's', false);
    dg.point('SQL_PARSE');
    dg.point('ROUTE_INFO');
    dg.point('LOCATION_CACHE_LOOKUP');
    dg.truncate(1);
    assert.equal(dg.size, 1);
    for (let i = 0; i < 200; i++) dg.point('RETRY');
    assert.equal(dg.size, MAX_POINTS);
    assert.equal(dg.point('RETRY'), false);
    dg.f('attempts', 1); // a field for a point not recorded goes nowhere
    assert.equal(dg.size, MAX_POINTS);
  });

  test('a level-0 recorder records nothing; EXPLAIN records everything', () => {
    const dg = new RouteDiagnosis();
    assert.equal(dg.point('SQL_PARSE'), false);
    dg.begin(1, true, 'x', false);
    assert.equal(dg.level, 4);
    assert.equal(dg.point('RESOLVE_TOKEN'), true);
  });

  test('the diagnosis log line is one line: [time] [tid][trace] [ROUTE](*route_diagnosis=<tree with /n>)', () => {
    const dg = new RouteDiagnosis();
    dg.begin(2, false, 'SELECT 1', false);
    dg.point('SQL_PARSE');
    dg.f('cmd', 'COM_QUERY').f('table', '');
    const line = formatDiagnosisLine(Date.UTC(2024, 0, 2, 3, 4, 5) * 1000 + 6, 42, 'Y0-0000000000000000', 'ROUTE', diagnosisLogBody(dg.format()));
    const m = /^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000006)\] \[42\]\[Y0-0000000000000000\] \[ROUTE\]\(\*route_diagnosis=(.*)\)$/.exec(line);
    assert.ok(m !== null, line);
    assert.equal(m[2], '/nTrans Current Query:"SELECT 1"/n/nRoute Prompts/n-----------------/n/n/nRoute Plan/n-----------------/n> SQL_PARSE:{cmd:"COM_QUERY", table:""}');
    assert.ok(!line.includes('\n'));
  });
});

describe('connection diagnosis body', () => {
  test('fields in the spec §9 order, strings quoted, extra block', async () => {
    const { connectionDiagnosisBody, connectionDiagnosisTag } = await import('../../../src/observe/connection-diagnosis.js');
    const body = connectionDiagnosisBody('SERVER_VC_TRACE', {
      csId: 7, ssId: 0, proxySessionId: 7, serverSessionId: 3221, clientAddr: '127.0.0.1:5000', serverAddr: '127.0.0.2:2881',
      clusterName: 'c1', tenantName: 'test', userName: 'root', errorCode: 2013, errorMsg: 'gone', requestCmd: 'COM_QUERY',
      sqlCmd: 'COM_QUERY', reqTotalUs: 1500, userSql: 'select 1',
    });
    assert.equal(body, 'trace_type="SERVER_VC_TRACE", connection_diagnosis={cs_id:7, ss_id:0, proxy_session_id:7, server_session_id:3221, ' +
      'client_addr:"127.0.0.1:5000", server_addr:"127.0.0.2:2881", cluster_name:"c1", tenant_name:"test", user_name:"root", error_code:2013, ' +
      'error_msg:"gone", request_cmd:"COM_QUERY", sql_cmd:"COM_QUERY", req_total_time(us):1500}{user_sql:"select 1"}');
    assert.equal(connectionDiagnosisTag('LOGIN_TRACE'), 'LOGIN');
    assert.equal(connectionDiagnosisTag('TIMEOUT_TRACE'), 'CONNECTION');
  });
});

test('every point records exactly from its documented level (spec §9 table)', async () => {
  const { POINTS } = await import('../../../src/observe/route-diagnosis.js');
  for (const [name, p] of Object.entries(POINTS)) {
    const dg = new RouteDiagnosis();
    dg.begin(p.level, false, 'x', false);
    assert.equal(dg.point(name as keyof typeof POINTS), true, name);
    if (p.level > 1) {
      dg.begin(p.level - 1, false, 'x', false);
      assert.equal(dg.point(name as keyof typeof POINTS), false, name);
    }
  }
});
