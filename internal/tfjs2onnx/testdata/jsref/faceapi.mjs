// Runs face-api.js's own FaceRecognitionNet (the package's bundled build, with
// its bundled TensorFlow.js on the pure-JavaScript CPU backend) and writes the
// descriptor: the reference the graph tfjs2onnx.LoadFaceAPIRecognition writes
// is compared with.
//   node faceapi.mjs FACE_API_ESM_JS WEIGHTS_MANIFEST INPUT_BIN OUT_BIN
// INPUT_BIN is little-endian float32 1×150×150×3 (RGB 0–255); OUT_BIN gets the
// 128 float32 values.
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [esm, manifestPath, inputPath, outPath] = process.argv.slice(2);

// The bundle targets browsers and Node with tfjs-node; plain Node trips over
// its stubbed "util" module. Load it as a non-Node platform and give
// TensorFlow.js and face-api the few platform hooks this path uses.
const realProcess = globalThis.process;
globalThis.process = { env: {}, versions: {} };
let faceapi;
try {
  faceapi = await import(pathToFileURL(esm).href);
} finally {
  globalThis.process = realProcess;
}
const { tf } = faceapi;
const refuse = (what) => () => { throw new Error(`${what} is not available in the reference`); };
tf.setPlatform('kycd-reference', {
  now: () => performance.now(),
  encode: (s) => new TextEncoder().encode(s),
  decode: (b, enc) => new TextDecoder(enc).decode(b),
  fetch: refuse('fetch'),
  isTypedArray: (a) => ArrayBuffer.isView(a) && !(a instanceof DataView),
});
class Unavailable {}
faceapi.env.setEnv({
  Canvas: Unavailable, CanvasRenderingContext2D: Unavailable, Image: Unavailable, ImageData: Unavailable,
  Video: Unavailable, createCanvasElement: refuse('canvas'), createImageElement: refuse('image'),
  createVideoElement: refuse('video'), fetch: refuse('fetch'), readFile: refuse('readFile'),
});
if (!(await tf.setBackend('cpu'))) throw new Error('no cpu backend');
await tf.ready();

const groups = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
const specs = [];
const shards = [];
for (const g of groups) {
  for (const p of g.paths) shards.push(fs.readFileSync(path.join(path.dirname(manifestPath), p)));
  specs.push(...g.weights);
}
const all = Buffer.concat(shards);
const weights = tf.io.decodeWeights(all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength), specs);
const net = faceapi.nets.faceRecognitionNet;
net.loadFromWeightMap(weights);

const raw = fs.readFileSync(inputPath);
const input = tf.tensor4d(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), [1, 150, 150, 3], 'float32');
const descriptor = await net.computeFaceDescriptor(input);
fs.writeFileSync(outPath, Buffer.from(new Float32Array(descriptor).buffer));
