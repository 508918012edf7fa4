// ort_runner.js — the ONNX Runtime side of bench/run.sh: a long-lived process that bench.py
// drives with one JSON command per stdin line and that answers with one JSON line on stdout.
//
//   {"cmd":"version"}                          -> {"ok":true,"ort":"1.30.0","node":"v20..."}
//   {"cmd":"load","model":PATH,"threads":[1,2],"inputs":[{"name","dtype","dims","file"}]}
//        creates one InferenceSession per intra-op thread count (CPU EP, graph optimizations
//        'all', inter-op threads 1, sequential execution), reads the raw little-endian input
//        files, and runs each session a few times (first-run allocations, page faults)
//                                              -> {"ok":true,"load_ms":{"1":..,"2":..}}
//   {"cmd":"time","threads":T,"runs":N,"warmup":W}
//        W untimed runs, then N runs each timed alone; cpu_ms is this process's CPU time
//        (user + system, all threads) over the N runs divided by N
//                                              -> {"ok":true,"ms":[sorted times],"cpu_ms":..}
//   {"cmd":"outputs","threads":T,"dir":DIR}   one run; writes DIR/ort_output_K.bin (raw LE)
//        -> {"ok":true,"outputs":[{"name","dtype","dims","file"}]}
//   {"cmd":"unload"}                           releases the sessions
// Any failure answers {"ok":false,"error":"..."} and the process keeps serving. The sessions
// stay alive between commands, so bench.py can interleave ORT measurements with fastc's
// without paying session creation each time. bench.py starts one process per thread count, so
// that an idle session's thread pool never adds to another session's CPU time.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const ort = require('onnxruntime-node');

ort.env.logLevel = 'error';

// dtype name (as bench.py sends it) -> typed-array constructor ORT accepts for it.
const ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

let sessions = {}; // intra-op thread count -> InferenceSession
let feeds = null;

function readInput(inp) {
  const Arr = ARRAYS[inp.dtype];
  if (!Arr) throw new Error(`input '${inp.name}': dtype ${inp.dtype} not supported here`);
  const buf = fs.readFileSync(inp.file);
  // Copy into a fresh, aligned ArrayBuffer (a Buffer may be a view at any offset).
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const data = new Arr(ab);
  const count = inp.dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(`input '${inp.name}': ${data.length} values, dims [${inp.dims}] need ${count}`);
  }
  return new ort.Tensor(inp.dtype, data, inp.dims);
}

function session(threads) {
  const s = sessions[threads];
  if (!s) throw new Error(`no session with ${threads} threads loaded`);
  return s;
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

async function load(cmd) {
  await unload();
  feeds = {};
  for (const inp of cmd.inputs) feeds[inp.name] = readInput(inp);
  const loadMs = {};
  for (const t of cmd.threads) {
    const t0 = nowMs();
    sessions[t] = await ort.InferenceSession.create(cmd.model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: t,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
    loadMs[t] = nowMs() - t0;
    for (let i = 0; i < 3; i++) await sessions[t].run(feeds);
  }
  return { load_ms: loadMs };
}

async function time(cmd) {
  const s = session(cmd.threads);
  for (let i = 0; i < (cmd.warmup || 0); i++) await s.run(feeds);
  const ms = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < cmd.runs; i++) {
    const t0 = nowMs();
    await s.run(feeds);
    ms.push(nowMs() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  ms.sort((a, b) => a - b);
  return { ms, cpu_ms: (cpu.user + cpu.system) / 1e3 / cmd.runs };
}

async function outputs(cmd) {
  const s = session(cmd.threads);
  const res = await s.run(feeds);
  const out = [];
  s.outputNames.forEach((name, k) => {
    const t = res[name];
    const file = path.join(cmd.dir, `ort_output_${k}.bin`);
    const d = t.data;
    fs.writeFileSync(file, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    out.push({ name, dtype: t.type, dims: t.dims.map(Number), file });
  });
  return { outputs: out };
}

async function unload() {
  for (const s of Object.values(sessions)) await s.release();
  sessions = {};
  feeds = null;
  return {};
}

const HANDLERS = {
  version: async () => ({
    ort: ort.env.versions.node || ort.env.versions.common,
    node: process.version,
  }),
  load,
  time,
  outputs,
  unload,
};

async function main() {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let reply;
    try {
      const cmd = JSON.parse(line);
      const handler = HANDLERS[cmd.cmd];
      if (!handler) throw new Error(`unknown command '${cmd.cmd}'`);
      reply = Object.assign({ ok: true }, await handler(cmd));
    } catch (e) {
      reply = { ok: false, error: String((e && e.message) || e).split('\n')[0] };
    }
    process.stdout.write(JSON.stringify(reply) + '\n');
  }
  await unload();
}

main();
