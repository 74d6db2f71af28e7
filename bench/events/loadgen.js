// The receiver's own ceiling: N POSTs of a Ferry-sized body over C keep-alive connections.
//   node loadgen.js URL N C   -> prints requests/s
const http = require('http');
const [url, n, c] = [process.argv[2], Number(process.argv[3] || 20000), Number(process.argv[4] || 4)];
const agent = new http.Agent({ keepAlive: true, maxSockets: c });
const body = JSON.stringify({ id: 1, type: 'UPLOAD', timestamp: new Date().toISOString(), username: 'bench',
    remoteAddress: '127.0.0.1', sessionId: 'x', path: '/bench/f', targetPath: null, bytes: 4096,
    sha256: 'a'.repeat(64), status: 'OK', detail: null, rule: 'bench' });
let sent = 0, done = 0;
const start = process.hrtime.bigint();
function one() {
    if (sent >= n) return;
    sent++;
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body), 'Ferry-Event-Id': String(sent) } }, res => {
        res.resume();
        res.on('end', () => {
            if (++done === n) {
                const s = Number(process.hrtime.bigint() - start) / 1e9;
                console.log(`${n} requests, ${c} connections: ${s.toFixed(2)} s, ${(n / s).toFixed(0)} requests/s`);
                agent.destroy();
            } else one();
        });
    });
    req.on('error', e => { console.error(e.message); process.exit(1); });
    req.end(body);
}
for (let i = 0; i < c; i++) one();
