// CKKS operations of Microsoft SEAL 4.1 (the npm package node-seal, WebAssembly) for NeuralShield.Encrypted.
// One Node.js process runs one party: a client (keys, encryption, decryption) or an evaluator (ciphertext arithmetic).
// State lives in this module for the life of the process; .NET calls the exported functions through Jering.Javascript.NodeJS.
'use strict';

let seal = null;
let context = null;
let encoder = null;
let scale = 0;
let slots = 0;
let role = null;
// client
let secretKey = null;
let encryptor = null;
let decryptor = null;
// evaluator
let evaluator = null;
let relinKeys = null;
let galoisKeys = null;
const ciphertexts = new Map();
let nextId = 1;
// Plaintext vectors of the evaluator's own (the model's weights), stored once; encoded once per level and scale.
const plains = new Map();
const encoded = new Map();

async function library() {
  if (seal === null) {
    const SEAL = require('node-seal');
    seal = await SEAL();
  }
  return seal;
}

function requireRole(expected) {
  if (role !== expected) throw new Error(`this process is the ${role ?? 'uninitialised'} party; the call needs the ${expected}`);
}

// Builds the context; SEAL's own check at 128-bit security decides whether the parameters are accepted.
async function setup(party, polyModulusDegree, bitSizes, scaleBits) {
  const s = await library();
  const parms = s.EncryptionParameters(s.SchemeType.ckks);
  parms.setPolyModulusDegree(polyModulusDegree);
  parms.setCoeffModulus(s.CoeffModulus.Create(polyModulusDegree, Int32Array.from(bitSizes)));
  const candidate = s.Context(parms, true, s.SecurityLevel.tc128);
  if (!candidate.parametersSet()) {
    const max = s.CoeffModulus.MaxBitCount(polyModulusDegree, s.SecurityLevel.tc128);
    const total = bitSizes.reduce((a, b) => a + b, 0);
    throw new Error(`SEAL rejects these CKKS parameters at 128-bit security (poly modulus degree ${polyModulusDegree}, ` +
      `coefficient moduli of ${total} bits in all; at most ${max} bits are allowed for this degree)`);
  }
  context = candidate;
  encoder = s.CKKSEncoder(context);
  slots = encoder.slotCount;
  scale = Math.pow(2, scaleBits);
  role = party;
  if (party === 'evaluator') evaluator = s.Evaluator(context);
  return { slots, version: s.Version, maxBits: s.CoeffModulus.MaxBitCount(polyModulusDegree, s.SecurityLevel.tc128) };
}

// Client: a fresh key pair; returns what an evaluator may hold (relinearisation and Galois keys), never the secret key.
function generateKeys(rotationSteps) {
  requireRole('client');
  const keys = seal.KeyGenerator(context);
  secretKey = keys.secretKey();
  const publicKey = keys.createPublicKey();
  encryptor = seal.Encryptor(context, publicKey, secretKey);
  decryptor = seal.Decryptor(context, secretKey);
  const relin = keys.createRelinKeysSerializable().save();
  const galois = rotationSteps.length > 0 ? keys.createGaloisKeysSerializable(Int32Array.from(rotationSteps)).save() : '';
  return { publicKey: publicKey.save(), relinKeys: relin, galoisKeys: galois };
}

function pad(values) {
  if (values.length > slots) throw new Error(`${values.length} values do not fit in ${slots} slots`);
  const full = new Float64Array(slots);
  full.set(values);
  return full;
}

function encrypt(values) {
  requireRole('client');
  const plain = encoder.encode(pad(values), scale);
  const serialised = encryptor.encryptSymmetricSerializable(plain);
  const text = serialised.save();
  serialised.delete();
  plain.delete();
  return text;
}

function decrypt(text, count) {
  requireRole('client');
  const cipher = seal.CipherText();
  cipher.load(context, text);
  const plain = decryptor.decrypt(cipher);
  const values = encoder.decode(plain);
  plain.delete();
  cipher.delete();
  return Array.from(values.slice(0, count));
}

// Client, for tests only: the serialised secret key, to check that no message to the evaluator carries it.
function exportSecretKey() {
  requireRole('client');
  return secretKey.save();
}

// Evaluator.
function loadKeys(relin, galois) {
  requireRole('evaluator');
  relinKeys = seal.RelinKeys();
  relinKeys.load(context, relin);
  if (galois.length > 0) {
    galoisKeys = seal.GaloisKeys();
    galoisKeys.load(context, galois);
  }
  return true;
}

function keep(cipher) {
  const id = nextId++;
  ciphertexts.set(id, cipher);
  return id;
}

function get(id) {
  const cipher = ciphertexts.get(id);
  if (cipher === undefined) throw new Error(`no ciphertext ${id} on the evaluator`);
  return cipher;
}

function load(text) {
  requireRole('evaluator');
  const cipher = seal.CipherText();
  cipher.load(context, text);
  return keep(cipher);
}

function save(id) {
  requireRole('evaluator');
  return get(id).save();
}

function release(ids) {
  for (const id of ids) {
    const cipher = ciphertexts.get(id);
    if (cipher !== undefined) { cipher.delete(); ciphertexts.delete(id); }
  }
  return ciphertexts.size;
}

function storePlain(values) {
  requireRole('evaluator');
  const id = nextId++;
  plains.set(id, pad(values));
  return id;
}

function plainFor(cipher, plainId, atScale) {
  const values = plains.get(plainId);
  if (values === undefined) throw new Error(`no plaintext ${plainId} on the evaluator`);
  const level = context.getContextData(cipher.parmsId).chainIndex;
  const key = `${plainId}:${level}:${atScale}`;
  let plain = encoded.get(key);
  if (plain === undefined) {
    plain = encoder.encode(values, atScale);
    evaluator.plainModSwitchTo(plain, cipher.parmsId, plain);
    encoded.set(key, plain);
  }
  return plain;
}

// Σ_i c_i ⊙ p_i (p_i encoded at the encoding scale), one ciphertext at the product scale.
function dotPlain(ids, plainIds) {
  requireRole('evaluator');
  let sum = null;
  for (let i = 0; i < ids.length; i++) {
    const cipher = get(ids[i]);
    const product = evaluator.multiplyPlain(cipher, plainFor(cipher, plainIds[i], scale));
    if (sum === null) sum = product;
    else { evaluator.add(sum, product, sum); product.delete(); }
  }
  return keep(sum);
}

function addPlain(id, plainId) {
  requireRole('evaluator');
  const cipher = get(id);
  return keep(evaluator.addPlain(cipher, plainFor(cipher, plainId, cipher.scale)));
}

function add(ids) {
  requireRole('evaluator');
  const sum = get(ids[0]).clone();
  for (let i = 1; i < ids.length; i++) evaluator.add(sum, get(ids[i]), sum);
  return keep(sum);
}

function square(id) {
  requireRole('evaluator');
  const result = evaluator.square(get(id));
  evaluator.relinearize(result, relinKeys, result);
  return keep(result);
}

function rescale(id) {
  requireRole('evaluator');
  return keep(evaluator.rescaleToNext(get(id)));
}

function rotate(id, steps) {
  requireRole('evaluator');
  if (galoisKeys === null) throw new Error('the evaluator holds no Galois keys');
  return keep(evaluator.rotateVector(get(id), steps, galoisKeys));
}

// Jering.Javascript.NodeJS awaits a returned promise (a function that returns a plain value is expected to call a callback):
// every export is async.
const operations = { setup, generateKeys, encrypt, decrypt, exportSecretKey, loadKeys, load, save, release, storePlain, dotPlain, addPlain, add, square, rescale, rotate };
module.exports = Object.fromEntries(Object.entries(operations).map(([name, f]) => [name, async (...args) => f(...args)]));
