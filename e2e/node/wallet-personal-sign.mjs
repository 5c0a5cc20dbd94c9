// wallet-personal-sign.mjs prints EIP-191 personal_sign test vectors as JSON:
// fresh ethers wallets sign several messages, and each vector records what
// ethers.verifyMessage makes of it (the recovered address, or null when it
// throws). internal/auth/wallet's tests require the Go verifier to agree,
// except on vectors marked with a "deviation" the Go side refuses on purpose.
//
// Usage: node wallet-personal-sign.mjs > vectors.json
import { Wallet, verifyMessage, getBytes, hexlify, toBeHex, randomBytes } from "ethers";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;

const signer = Wallet.createRandom();
const other = Wallet.createRandom();
const vectors = [];

function verdict(message, signature) {
  try {
    return verifyMessage(message, signature);
  } catch {
    return null;
  }
}

// add records a vector. message is a string (signed as UTF-8) or bytes.
function add(name, address, message, signature, deviation = "") {
  const v = { name, address };
  if (typeof message === "string") {
    v.message = message;
  } else {
    v.messageHex = hexlify(message);
  }
  v.signature = signature;
  v.ethers = verdict(message, signature);
  if (deviation) {
    v.deviation = deviation;
  }
  vectors.push(v);
}

// withParts rebuilds a 65-byte signature from r, s (bigints) and v.
function withParts(r, s, v) {
  return hexlify(new Uint8Array([...getBytes(toBeHex(r, 32)), ...getBytes(toBeHex(s, 32)), v]));
}

function parts(signature) {
  const b = getBytes(signature);
  return {
    r: BigInt(hexlify(b.slice(0, 32))),
    s: BigInt(hexlify(b.slice(32, 64))),
    v: b[64],
  };
}

const convo = `I allow this site to access my data on The Convo Space using the account ${signer.address}. Timestamp:${Date.now()}`;
const messages = [
  ["convo", convo],
  ["ascii", "hello"],
  ["empty", ""],
  ["unicode", "héllo wörld — 你好 🚀 \u0000 end"],
  ["multiline", "line one\nline two\r\nline three\n"],
  ["long", "x".repeat(1234)],
  ["bytes", randomBytes(48)],
];

for (const [name, message] of messages) {
  const sig = await signer.signMessage(message);
  add(`genuine ${name}`, signer.address, message, sig);
  add(`genuine ${name} lowercase address`, signer.address.toLowerCase(), message, sig);
  add(`forged ${name}: other key`, signer.address, message, await other.signMessage(message));
}

const sig = await signer.signMessage(convo);
const { r, s, v } = parts(sig);

// Tampering.
add("forged: message changed", signer.address, convo + " ", sig);
add("forged: message truncated", signer.address, convo.slice(0, -1), sig);
add("forged: flipped v", signer.address, convo, withParts(r, s, v === 27 ? 28 : 27));
add("forged: r changed", signer.address, convo, withParts((r + 1n) % N, s, v));
add("forged: s changed", signer.address, convo, withParts(r, s - 1n, v));

// v encodings ethers accepts.
add("genuine: v as 0/1", signer.address, convo, withParts(r, s, v - 27));
add("malformed: v 29", signer.address, convo, withParts(r, s, 29));
add("malformed: v 2", signer.address, convo, withParts(r, s, 2));
add("deviation: v 35 (eip-155)", signer.address, convo, withParts(r, s, v === 27 ? 37 : 38), "eip-155 v");
add("deviation: v 255 (eip-155)", signer.address, convo, withParts(r, s, 255), "eip-155 v");
add(
  "deviation: 64-byte eip-2098 compact",
  signer.address,
  convo,
  withParts(r, v === 28 ? s | (1n << 255n) : s, 0).slice(0, 2 + 128),
  "eip-2098 compact",
);

// Malleability: the n-s twin recovers the same key with the other v, but is
// (almost always) >= 2^255, which ethers refuses as non-canonical.
add("malleated: n-s", signer.address, convo, withParts(r, N - s, v === 27 ? 28 : 27));
// Ranges.
add("malformed: s = 0", signer.address, convo, withParts(r, 0n, v));
add("malformed: r = 0", signer.address, convo, withParts(0n, s, v));
add("malformed: r = n", signer.address, convo, withParts(N, s, v));
add("malformed: s = 2^255", signer.address, convo, withParts(r, 1n << 255n, v));
add("malformed: s = n-1", signer.address, convo, withParts(r, N - 1n, v));
add("malformed: s = n", signer.address, convo, withParts(r, N, v));

// Synthetic signatures: any valid (r, s) recovers some key, so these pin the
// exact acceptance rules against ethers. r = Gx is a valid x coordinate.
add("synthetic: high s below 2^255", signer.address, convo, withParts(GX, N / 2n + 1n, 27));
add("synthetic: s = 2^255 - 1", signer.address, convo, withParts(GX, (1n << 255n) - 1n, 28));
add("synthetic: s = 1", signer.address, convo, withParts(GX, 1n, 27));
add("synthetic: r = 1", signer.address, convo, withParts(1n, 12345n, 27));
add("synthetic: r = 5", signer.address, convo, withParts(5n, 12345n, 28));
add("synthetic: r = n-1", signer.address, convo, withParts(N - 1n, 12345n, 27));

process.stdout.write(JSON.stringify({ generator: "ethers personal_sign", vectors }, null, 2) + "\n");
