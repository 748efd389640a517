// -o parsing and the flags that map to one parameter each (spec §11.2).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { optionsFromFlags, parseOptstr } from '../../../src/config/options.js';

void describe('start-up options', () => {
  void test('-o splits on commas that start a new name=value', () => {
    assert.deepEqual(parseOptstr('enable_cluster_checkout=false,Proxy_Id=3, target_db_server=10.0.0.1:2881,10.0.0.2:2881;10.0.0.3:2881'), {
      enable_cluster_checkout: 'false',
      proxy_id: '3',
      target_db_server: '10.0.0.1:2881,10.0.0.2:2881;10.0.0.3:2881',
    });
    assert.deepEqual(parseOptstr(''), {});
    assert.deepEqual(parseOptstr('init_sql=set a=1'), { init_sql: 'set a=1' });
    assert.equal(parseOptstr('justaword'), "-o: expected name=value, got 'justaword'");
  });

  void test('flags name their parameters and win over -o', () => {
    assert.deepEqual(optionsFromFlags({ listenPort: '2883', rsList: '10.0.0.1:2881', clusterName: 'c1', appName: 'app' },
      { listen_port: '3306', proxy_id: '1' }), {
      listen_port: '2883', proxy_id: '1', rootservice_list: '10.0.0.1:2881', rootservice_cluster_name: 'c1', app_name: 'app',
    });
  });
});
