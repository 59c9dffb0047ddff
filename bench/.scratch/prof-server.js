const inspector = require('node:inspector');
const fs = require('node:fs');
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
const write = () => {
  session.post('Profiler.stop', (err, { profile }) => fs.writeFileSync('/tmp/chart-server.cpuprofile', JSON.stringify(profile)));
};
process.on('exit', write);
process.on('SIGTERM', () => { write(); process.exit(0); });
process.argv.splice(1, 1, require('node:path').resolve(__dirname, '../../dist/server.js'));
require('../../dist/server.js');
