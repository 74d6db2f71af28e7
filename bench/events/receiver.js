// Webhook receiver for bench/events.sh: answers every POST with 204 at once and records
// "<arrival epoch ms> <Ferry-Event-Id> <event path>" per request in OUT (written on SIGTERM/SIGINT,
// so the timed path does no file I/O). Node's http server with keep-alive: one process on one core
// takes several thousand requests/s here, well above what is measured (its ceiling: loadgen.js).
//   PORT=2345 OUT=arrivals.txt node receiver.js
const http = require('http');
const fs = require('fs');
const { performance } = require('perf_hooks');
const port = Number(process.env.PORT || 2345);
const out = process.env.OUT || 'arrivals.txt';
const lines = [];
const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
        const t = performance.timeOrigin + performance.now();
        let path = '-';
        if (req.method === 'POST' && chunks.length) {
            try { path = JSON.parse(Buffer.concat(chunks)).path; } catch (e) { path = 'unparsable'; }
        }
        lines.push(t.toFixed(3) + ' ' + (req.headers['ferry-event-id'] || '-') + ' ' + path);
        res.writeHead(204);
        res.end();
    });
});
server.keepAliveTimeout = 60000;
const flush = () => { fs.writeFileSync(out, lines.join('\n') + (lines.length ? '\n' : '')); process.exit(0); };
process.on('SIGTERM', flush);
process.on('SIGINT', flush);
server.listen(port, '127.0.0.1', () => console.log('receiver listening on 127.0.0.1:' + port));
