#!/usr/bin/env node
// run_ort.js - ONNX Runtime (onnxruntime-node) as layerfab's oracle.
//
// ORT comes from npm, installed without its install script into build/ort:
//   (mkdir -p build/ort && cd build/ort && npm install --ignore-scripts onnxruntime-node)
// The package ships bin/napi-v6/linux/x64/{onnxruntime_binding.node,
// libonnxruntime.so.1}, so nothing is downloaded at install time.
//
// Every session is single threaded (intraOpNumThreads 1, interOpNumThreads 1,
// sequential) on the CPU execution provider. Graph optimisation: 'all' (ORT's
// default, what an application gets). With 'all', ORT fuses the QDQ model's
// DQ->Conv->Q groups into QLinearConv etc. and runs integer kernels, which is
// what layerfab does when it folds QDQ on import; with 'disabled', QDQ models
// run float Conv/Gemm/Add on dequantized values and re-quantize, which can
// differ by one step. `check-opt` compares both levels on every model here.
//
// Usage (from the repository root):
//   node scripts/ort/run_ort.js accuracy [--opt all|disabled]  ORT accuracy, fmnist models
//   node scripts/ort/run_ort.js vectors                          fmnist test vectors
//   node scripts/ort/run_ort.js demo-logits [--count N]          logits of the first N test images (500)
//   node scripts/ort/run_ort.js ops                              outputs of the single-op tests
//   node scripts/ort/run_ort.js check-opt                        'all' vs 'disabled', byte for byte
//   node scripts/ort/run_ort.js bench MODEL [--runs N] [--opt L] [--batch B]  ms/inference, 1 thread
//   node scripts/ort/run_ort.js dump-optimized MODEL OUT         the graph ORT runs at 'all'
//   node scripts/ort/run_ort.js run DIR... [--opt L]             fill DIR/test_data_set_*/output_*.pb
//
// Environment: ORT_NODE_MODULES (default build/ort/node_modules),
// FMNIST_DIR (default /usr/share/datasets/fashion-mnist).
//
// Test vectors use the ONNX backend-test layout: DIR/model.onnx and
// DIR/test_data_set_K/{input,output}_J.pb, each .pb one serialized
// onnx.TensorProto (dims, data_type, name, raw_data little-endian). This
// file has its own small TensorProto encoder/decoder (below).
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const ROOT = path.resolve(__dirname, '..', '..');
const ORT_NM = process.env.ORT_NODE_MODULES || path.join(ROOT, 'build', 'ort', 'node_modules');
const FMNIST_DIR = process.env.FMNIST_DIR || '/usr/share/datasets/fashion-mnist';
const DATA_DIR = path.join(ROOT, 'tests', 'data', 'ort');

function loadOrt() {
  try {
    return require(path.join(ORT_NM, 'onnxruntime-node'));
  } catch (e) {
    console.error(`cannot load onnxruntime-node from ${ORT_NM}: ${e.message}\n` +
      'install it: mkdir -p build/ort && cd build/ort && npm install --ignore-scripts onnxruntime-node');
    process.exit(2);
  }
}
const ort = loadOrt();

// ---------------------------------------------------------------------------
// TensorProto (onnx.proto, proto2): 1 dims (int64, repeated), 2 data_type,
// 4 float_data, 5 int32_data, 7 int64_data, 8 name, 9 raw_data.

const DT = {1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 11: 'float64'};
const DT_CODE = {float32: 1, uint8: 2, int8: 3, int16: 5, int32: 6, int64: 7, bool: 9, float64: 11};
const ARRAY = {float32: Float32Array, uint8: Uint8Array, int8: Int8Array, int16: Int16Array,
  int32: Int32Array, int64: BigInt64Array, bool: Uint8Array, float64: Float64Array};

function varint(n) {
  // non-negative or negative int64 as a protobuf varint
  let v = BigInt.asUintN(64, BigInt(n));
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}

function lenField(tag, buf) {
  return Buffer.concat([Buffer.from([tag]), varint(buf.length), buf]);
}

function encodeTensor(name, type, dims, data) {
  const parts = [];
  for (const d of dims) parts.push(Buffer.from([0x08]), varint(d));       // dims, unpacked
  parts.push(Buffer.from([0x10]), varint(DT_CODE[type]));                   // data_type
  parts.push(lenField(0x42, Buffer.from(name, 'utf8')));                     // name
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);   // little-endian host
  parts.push(lenField(0x4a, Buffer.from(raw)));                              // raw_data
  return Buffer.concat(parts);
}

function decodeTensor(buf) {
  let pos = 0;
  const rdVarint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const b = buf[pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  const t = {name: '', dims: [], type: null, raw: null, floats: [], ints: [], int64s: []};
  while (pos < buf.length) {
    const key = Number(rdVarint());
    const field = key >> 3, wire = key & 7;
    if (wire === 0) {
      const v = rdVarint();
      if (field === 1) t.dims.push(Number(BigInt.asIntN(64, v)));
      else if (field === 2) t.type = DT[Number(v)];
      else if (field === 5) t.ints.push(Number(BigInt.asIntN(32, v)));
      else if (field === 7) t.int64s.push(BigInt.asIntN(64, v));
    } else if (wire === 2) {
      const len = Number(rdVarint());
      const sub = buf.subarray(pos, pos + len);
      pos += len;
      if (field === 8) t.name = sub.toString('utf8');
      else if (field === 9) t.raw = sub;
      else if (field === 1 || field === 5 || field === 7) {  // packed varints
        let p = 0;
        while (p < sub.length) {
          let v = 0n, s = 0n;
          for (;;) { const b = sub[p++]; v |= BigInt(b & 0x7f) << s; if (!(b & 0x80)) break; s += 7n; }
          if (field === 1) t.dims.push(Number(BigInt.asIntN(64, v)));
          else if (field === 5) t.ints.push(Number(BigInt.asIntN(32, v)));
          else t.int64s.push(BigInt.asIntN(64, v));
        }
      } else if (field === 4) {
        for (let p = 0; p < sub.length; p += 4) t.floats.push(sub.readFloatLE(p));
      }
    } else if (wire === 5) {
      if (field === 4) t.floats.push(buf.readFloatLE(pos));
      pos += 4;
    } else if (wire === 1) {
      pos += 8;
    } else {
      throw new Error(`TensorProto: wire type ${wire} not handled`);
    }
  }
  if (!t.type) throw new Error('TensorProto without data_type');
  const A = ARRAY[t.type];
  let data;
  if (t.raw) {
    const copy = Buffer.from(t.raw);  // aligned copy
    data = new A(copy.buffer, copy.byteOffset, copy.byteLength / A.BYTES_PER_ELEMENT);
  } else if (t.type === 'float32') data = Float32Array.from(t.floats);
  else if (t.type === 'int64') data = BigInt64Array.from(t.int64s);
  else data = A.from(t.ints);
  return {name: t.name, type: t.type, dims: t.dims, data};
}

// ---------------------------------------------------------------------------

function sessionOptions(opt) {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: opt || 'all',
    logSeverityLevel: 3,
  };
}

async function session(model, opt) {
  return ort.InferenceSession.create(model, sessionOptions(opt));
}

function argOpt(args, name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
}

function readIdx(split) {
  const img = zlib.gunzipSync(fs.readFileSync(path.join(FMNIST_DIR, `${split}-images-idx3-ubyte.gz`)));
  const lab = zlib.gunzipSync(fs.readFileSync(path.join(FMNIST_DIR, `${split}-labels-idx1-ubyte.gz`)));
  if (img.readUInt32BE(0) !== 0x803 || lab.readUInt32BE(0) !== 0x801) throw new Error('bad IDX file');
  const n = img.readUInt32BE(4);
  return {n, pixels: img.subarray(16), labels: lab.subarray(8)};
}

// Float input of images [first, first+count): pixel / 255 (float32).
function fmnistInput(ds, first, count) {
  const x = new Float32Array(count * 784);
  for (let i = 0; i < count * 784; i++) x[i] = ds.pixels[first * 784 + i] / 255;
  return new ort.Tensor('float32', x, [count, 1, 28, 28]);
}

const FMNIST_MODELS = ['fmnist_qop', 'fmnist_qdq', 'fmnist_float'];

async function fmnistLogits(model, opt, ds, count, batch = 500) {
  const s = await session(model, opt);
  const out = new Float32Array(count * 10);
  for (let i = 0; i < count; i += batch) {
    const nb = Math.min(batch, count - i);
    const r = await s.run({[s.inputNames[0]]: fmnistInput(ds, i, nb)});
    out.set(r[s.outputNames[0]].data, i * 10);
  }
  await s.release();
  return out;
}

function accuracyOf(logits, labels, count) {
  let ok = 0;
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[i * 10 + c] > logits[i * 10 + best]) best = c;
    if (best === labels[i]) ok++;
  }
  return ok / count;
}

async function cmdAccuracy(args) {
  const opt = argOpt(args, '--opt', 'all');
  const ds = readIdx('t10k');
  console.log(`onnxruntime-node ${ort.env.versions.node}, 1 thread, graph optimization '${opt}'`);
  for (const m of FMNIST_MODELS) {
    const file = path.join(ROOT, 'models', `${m}.onnx`);
    if (!fs.existsSync(file)) continue;
    const t0 = Date.now();
    const logits = await fmnistLogits(file, opt, ds, ds.n);
    const acc = accuracyOf(logits, ds.labels, ds.n);
    console.log(`${m}: ${(acc * 100).toFixed(2)}% of ${ds.n} test images (${Date.now() - t0} ms)`);
  }
}

function writeTensor(file, name, type, dims, data) {
  fs.writeFileSync(file, encodeTensor(name, type, dims, data));
}

// Run one test-vector folder: read inputs, run ORT, write output_J.pb.
async function runVectorDir(dir, opt) {
  const s = await session(path.join(dir, 'model.onnx'), opt);
  const sets = fs.readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort();
  const results = [];
  for (const set of sets) {
    const sd = path.join(dir, set);
    const feeds = {};
    s.inputNames.forEach((name, j) => {
      const t = decodeTensor(fs.readFileSync(path.join(sd, `input_${j}.pb`)));
      if (t.name && t.name !== name) throw new Error(`${sd}: input_${j} is ${t.name}, model wants ${name}`);
      feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    });
    const r = await s.run(feeds);
    results.push({sd, outputs: s.outputNames.map((name) => ({name, t: r[name]}))});
  }
  await s.release();
  return results;
}

function saveOutputs(results) {
  for (const {sd, outputs} of results) {
    outputs.forEach(({name, t}, j) => writeTensor(path.join(sd, `output_${j}.pb`), name, t.type, t.dims, t.data));
  }
}

async function cmdVectors() {
  const ds = readIdx('t10k');
  // set 0: image 0 (batch 1); set 1: images 1..8 (batch 8); set 2: image 9 (batch 1)
  const sets = [[0, 1], [1, 8], [9, 1]];
  for (const m of ['fmnist_qop', 'fmnist_qdq']) {
    const dir = path.join(DATA_DIR, m);
    fs.mkdirSync(dir, {recursive: true});
    fs.copyFileSync(path.join(ROOT, 'models', `${m}.onnx`), path.join(dir, 'model.onnx'));
    const s = await session(path.join(dir, 'model.onnx'), 'all');
    for (let k = 0; k < sets.length; k++) {
      const [first, count] = sets[k];
      const sd = path.join(dir, `test_data_set_${k}`);
      fs.mkdirSync(sd, {recursive: true});
      const x = fmnistInput(ds, first, count);
      writeTensor(path.join(sd, 'input_0.pb'), s.inputNames[0], 'float32', x.dims, x.data);
    }
    await s.release();
    saveOutputs(await runVectorDir(dir, 'all'));
    console.log(`${dir}: ${sets.length} test data sets`);
  }
}

// ORT's logits of the first N Fashion-MNIST test images through
// fmnist_qop (batches of 100, as lf-demo runs them), for the demo's check
// in `make test`: tests/data/ort/fmnist_demo/logits_first<N>.pb.
async function cmdDemoLogits(args) {
  const n = parseInt(argOpt(args, '--count', '500'), 10);
  const ds = readIdx('t10k');
  if (!(n > 0 && n <= ds.n)) throw new Error(`--count must be 1..${ds.n}`);
  const model = path.join(ROOT, 'models', 'fmnist_qop.onnx');
  const logits = await fmnistLogits(model, 'all', ds, n, 100);
  const dir = path.join(DATA_DIR, 'fmnist_demo');
  fs.mkdirSync(dir, {recursive: true});
  writeTensor(path.join(dir, `logits_first${n}.pb`), 'logits', 'float32', [n, 10], logits);
  const ok = Math.round(accuracyOf(logits, ds.labels, n) * n);
  console.log(`${dir}/logits_first${n}.pb: ORT's logits of test images 0..${n - 1}; ` +
    `${ok} of ${n} correct (${(100 * ok / n).toFixed(2)}%)`);
}

function opDirs() {
  const base = path.join(DATA_DIR, 'ops');
  if (!fs.existsSync(base)) return [];
  return fs.readdirSync(base).sort().map((d) => path.join(base, d))
    .filter((d) => fs.existsSync(path.join(d, 'model.onnx')));
}

async function cmdRun(args) {
  const opt = argOpt(args, '--opt', 'all');
  for (const dir of args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--opt')) {
    saveOutputs(await runVectorDir(dir, opt));
    console.log(`${dir}: outputs written (opt '${opt}')`);
  }
}

async function cmdOps() {
  let n = 0;
  for (const dir of opDirs()) {
    try {
      saveOutputs(await runVectorDir(dir, 'all'));
      n++;
    } catch (e) {
      console.error(`${path.basename(dir)}: ORT failed: ${e.message}`);
      process.exitCode = 1;
    }
  }
  console.log(`wrote ORT outputs for ${n} single-op tests`);
}

function sameBytes(a, b) {
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return x.equals(y);
}

async function cmdCheckOpt() {
  let pass = 0, fail = 0;
  const ds = readIdx('t10k');
  for (const m of FMNIST_MODELS) {
    const file = path.join(ROOT, 'models', `${m}.onnx`);
    if (!fs.existsSync(file)) continue;
    const a = await fmnistLogits(file, 'all', ds, ds.n);
    const d = await fmnistLogits(file, 'disabled', ds, ds.n);
    if (sameBytes(a, d)) {
      pass++;
      console.log(`${m}: identical on ${ds.n} images`);
    } else {
      fail++;
      let diff = 0, maxd = 0, img = new Set();
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== d[i]) { diff++; img.add(Math.floor(i / 10)); maxd = Math.max(maxd, Math.abs(a[i] - d[i])); }
      }
      const accA = accuracyOf(a, ds.labels, ds.n), accD = accuracyOf(d, ds.labels, ds.n);
      console.log(`${m}: DIFFERENT: ${diff} of ${a.length} logits in ${img.size} images, max |diff| ${maxd}` +
        ` (accuracy all ${(accA * 100).toFixed(2)}%, disabled ${(accD * 100).toFixed(2)}%)`);
    }
  }
  for (const dir of [path.join(DATA_DIR, 'fmnist_qop'), path.join(DATA_DIR, 'fmnist_qdq'), ...opDirs()]) {
    if (!fs.existsSync(dir)) continue;
    const a = await runVectorDir(dir, 'all');
    const d = await runVectorDir(dir, 'disabled');
    let same = true;
    for (let k = 0; k < a.length; k++) {
      for (let j = 0; j < a[k].outputs.length; j++) {
        if (!sameBytes(a[k].outputs[j].t.data, d[k].outputs[j].t.data)) same = false;
      }
    }
    if (same) pass++; else fail++;
    if (!same) console.log(`${path.relative(ROOT, dir)}: DIFFERENT between 'all' and 'disabled'`);
  }
  console.log(`check-opt: ${pass} passed, ${fail} failed`);
}

async function cmdBench(args) {
  const model = args[0];
  const runs = parseInt(argOpt(args, '--runs', '20'), 10);
  const opt = argOpt(args, '--opt', 'all');
  const batch = parseInt(argOpt(args, '--batch', '1'), 10);  // size of free dimensions
  const s = await session(model, opt);
  const meta = s.inputMetadata ? s.inputMetadata[0] : null;
  let dims = meta && meta.shape ? meta.shape.map((d) => (typeof d === 'number' ? d : batch)) : [batch, 3, 224, 224];
  const n = dims.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) >>> 0; x[i] = (seed / 4294967296) * 4 - 2; }
  const feeds = {[s.inputNames[0]]: new ort.Tensor('float32', x, dims)};
  await s.run(feeds);  // warm-up
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await s.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / runs;
  console.log(`${path.basename(model)}: input [${dims}], onnxruntime-node ${ort.env.versions.node}, 1 thread, ` +
    `opt '${opt}', ${runs} runs: median ${times[runs >> 1].toFixed(3)} ms, mean ${mean.toFixed(3)} ms, ` +
    `min ${times[0].toFixed(3)} ms per inference`);
  await s.release();
}

async function cmdDumpOptimized(args) {
  const [model, out] = args;
  const o = sessionOptions('all');
  o.optimizedModelFilePath = out;
  const s = await ort.InferenceSession.create(model, o);
  await s.release();
  console.log(`wrote ${out}`);
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  const cmds = {accuracy: cmdAccuracy, vectors: cmdVectors, 'demo-logits': cmdDemoLogits, ops: cmdOps,
    'check-opt': cmdCheckOpt,
    bench: cmdBench, 'dump-optimized': cmdDumpOptimized, run: cmdRun};
  if (!cmds[cmd]) {
    console.error('usage: run_ort.js accuracy|vectors|demo-logits|ops|check-opt|bench MODEL|dump-optimized MODEL OUT|run DIR...');
    process.exit(2);
  }
  await cmds[cmd](args);
}

main().catch((e) => { console.error(e); process.exit(1); });
