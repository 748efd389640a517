// Import direction (ARCHITECTURE.md): util <- errors <- protocol <- route <- session;
// session may use backend, congestion, cluster, observe, config; admin is imported only by session;
// nothing in src/ imports lab/, test/ or bench/.
const layer = (name, mayNotImport) => ({
  name: `${name}-imports-upward`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${mayNotImport.join('|')})/` },
});
module.exports = {
  forbidden: [
    { name: 'src-imports-lab-test-bench', severity: 'error', from: { path: '^src/' }, to: { path: '^(lab|test|bench)/' } },
    layer('util', ['errors', 'protocol', 'route', 'session', 'backend', 'congestion', 'cluster', 'observe', 'config', 'admin', 'net']),
    layer('errors', ['protocol', 'route', 'session', 'backend', 'congestion', 'cluster', 'observe', 'config', 'admin', 'net']),
    layer('protocol', ['route', 'session', 'backend', 'congestion', 'cluster', 'observe', 'config', 'admin', 'net']),
    layer('route', ['session', 'backend', 'cluster', 'admin', 'net']),
    layer('config', ['session', 'backend', 'route', 'admin', 'net', 'protocol']),
    layer('net', ['session', 'backend', 'route', 'admin', 'protocol']),
    layer('observe', ['session', 'backend', 'admin']),
    layer('backend', ['session', 'admin']),
    layer('congestion', ['session', 'admin']),
    { name: 'protocol-no-io', severity: 'error', from: { path: '^src/protocol/' }, to: { path: '^(net|fs|child_process|dgram|http|https|tls|cluster|worker_threads)$', dependencyTypes: ['core'] } },
    { name: 'admin-only-from-session', severity: 'error', from: { path: '^src/', pathNot: '^src/(session/|admin/|main\\.ts$|admin-views\\.ts$|cli\\.ts$)' }, to: { path: '^src/admin/' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
