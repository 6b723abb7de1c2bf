// Runs a TensorFlow.js graph model on the pure-JavaScript CPU backend and writes
// the requested tensors, the reference the ONNX conversion is compared with.
//   node ref.js MODEL_JSON INPUT_BIN SHAPE_JSON NAMES_JSON OUT_PREFIX
// INPUT_BIN is little-endian float32 NHWC; OUT_PREFIX.bin gets every tensor's
// float32 data in NAMES order and OUT_PREFIX.json their shapes.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const converter = require('@tensorflow/tfjs-converter');

async function main() {
  const [modelPath, inputPath, shapeJSON, namesPath, outPrefix] = process.argv.slice(2);
  await tf.setBackend('cpu');
  const mj = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
  const specs = [];
  const buffers = [];
  for (const g of mj.weightsManifest) {
    for (const p of g.paths) buffers.push(fs.readFileSync(path.join(path.dirname(modelPath), p)));
    specs.push(...g.weights);
  }
  const all = Buffer.concat(buffers);
  const handler = {
    load: async () => ({
      modelTopology: mj.modelTopology, format: mj.format, generatedBy: mj.generatedBy,
      convertedBy: mj.convertedBy, signature: mj.signature, userDefinedMetadata: mj.userDefinedMetadata,
      weightSpecs: specs, weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
    }),
  };
  const model = await converter.loadGraphModel(handler);
  const raw = fs.readFileSync(inputPath);
  const input = tf.tensor(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), JSON.parse(shapeJSON), 'float32');
  const names = JSON.parse(fs.readFileSync(namesPath, 'utf8'));
  let outs = model.execute(input, names);
  if (!Array.isArray(outs)) outs = [outs];
  const shapes = [];
  const chunks = [];
  for (const t of outs) {
    shapes.push(t.shape);
    const d = t.dataSync();
    chunks.push(Buffer.from(new Float32Array(d).buffer));
  }
  fs.writeFileSync(outPrefix + '.bin', Buffer.concat(chunks));
  fs.writeFileSync(outPrefix + '.json', JSON.stringify(shapes));
}

main().catch((e) => { console.error(e); process.exit(1); });
