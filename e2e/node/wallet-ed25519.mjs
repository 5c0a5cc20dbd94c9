// wallet-ed25519.mjs prints NEAR and Solana style ed25519 test vectors as
// JSON, signed with tweetnacl by fresh keys:
//
//   - NEAR (near-api-js signer.signMessage, The Convo Space): a detached
//     signature over sha256(utf8(text)); the public key as hex and as
//     "ed25519:<base58>".
//   - Solana: a detached signature over the raw utf8 text; the public key in
//     base58.
//
// Each vector records tweetnacl's own verdict (nacl.sign.detached.verify as
// the Convo server calls it). internal/auth/wallet's tests require the Go
// verifier to agree, except on cases marked with a "deviation".
//
// Usage: node wallet-ed25519.mjs > vectors.json
import nacl from "tweetnacl";
import { createHash } from "node:crypto";
import { encodeBase58 } from "ethers";

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const hex = (b) => Buffer.from(b).toString("hex");
const utf8 = (s) => new TextEncoder().encode(s);
const sha256 = (s) => new Uint8Array(createHash("sha256").update(utf8(s)).digest());

const alice = nacl.sign.keyPair();
const mallory = nacl.sign.keyPair();
const vectors = [];

// add records a vector. digest says whether the signed bytes are sha256 of
// the message (NEAR) or the message itself (Solana).
function add(scheme, name, publicKey, signature, message, deviation = "") {
  const signed = scheme === "near" ? sha256(message) : utf8(message);
  const v = {
    scheme,
    name,
    publicKey: scheme === "near" ? hex(publicKey) : encodeBase58(publicKey),
    signature: hex(signature),
    message,
    nacl: nacl.sign.detached.verify(signed, signature, publicKey),
  };
  if (deviation) {
    v.deviation = deviation;
  }
  vectors.push(v);
  if (scheme === "near") {
    vectors.push({ ...v, name: name + " (ed25519: key)", publicKey: "ed25519:" + encodeBase58(publicKey) });
  }
}

// malleate adds L to the S half of a signature: the same point for the
// verification equation, but a non-canonical encoding.
function malleate(sig) {
  const s = BigInt("0x" + hex(sig.slice(32).reverse()));
  const t = (s + L).toString(16).padStart(64, "0");
  const out = new Uint8Array(sig);
  out.set(Buffer.from(t, "hex").reverse(), 32);
  return out;
}

const messages = [
  ["convo", (acct) => `I allow this site to access my data on The Convo Space using the account ${acct}. Timestamp:${Date.now()}`],
  ["unicode", () => "héllo wörld — 你好 🚀"],
  ["empty", () => ""],
  ["multiline", () => "one\ntwo\r\nthree"],
];

for (const [name, make] of messages) {
  // NEAR: the Convo text names the account id.
  const nearText = make("alice.testnet");
  const nearSig = nacl.sign.detached(sha256(nearText), alice.secretKey);
  add("near", `genuine ${name}`, alice.publicKey, nearSig, nearText);
  add("near", `forged ${name}: other key`, alice.publicKey, nacl.sign.detached(sha256(nearText), mallory.secretKey), nearText);
  add("near", `forged ${name}: raw text signed, not digest`, alice.publicKey, nacl.sign.detached(utf8(nearText), alice.secretKey), nearText);
  add("near", `forged ${name}: message changed`, alice.publicKey, nearSig, nearText + ".");

  // Solana: the Convo text names the base58 address.
  const solText = make(encodeBase58(alice.publicKey));
  const solSig = nacl.sign.detached(utf8(solText), alice.secretKey);
  add("solana", `genuine ${name}`, alice.publicKey, solSig, solText);
  add("solana", `forged ${name}: other key`, alice.publicKey, nacl.sign.detached(utf8(solText), mallory.secretKey), solText);
  add("solana", `forged ${name}: digest signed, not raw text`, alice.publicKey, nacl.sign.detached(sha256(solText), alice.secretKey), solText);
  add("solana", `forged ${name}: message changed`, alice.publicKey, solSig, solText + ".");
}

const text = "I allow this site to access my data on The Convo Space using the account alice.testnet. Timestamp:1700000000000";
const sig = nacl.sign.detached(sha256(text), alice.secretKey);
const flipped = new Uint8Array(sig);
flipped[10] ^= 1;
add("near", "forged: signature bit flipped", alice.publicKey, flipped, text);
add("near", "forged: public key of other", mallory.publicKey, sig, text);
// tweetnacl does not check S < L, so it accepts S + L; crypto/ed25519 does.
add("near", "malleated: S + L", alice.publicKey, malleate(sig), text, "non-canonical s");
const solSig = nacl.sign.detached(utf8(text), alice.secretKey);
add("solana", "malleated: S + L", alice.publicKey, malleate(solSig), text, "non-canonical s");

// A key whose base58 form starts with "1" (a leading zero byte) checks that
// leading zeros survive base58.
for (;;) {
  const kp = nacl.sign.keyPair();
  if (kp.publicKey[0] !== 0) continue;
  add("solana", "genuine: key with leading zero byte", kp.publicKey, nacl.sign.detached(utf8(text), kp.secretKey), text);
  add("near", "genuine: key with leading zero byte", kp.publicKey, nacl.sign.detached(sha256(text), kp.secretKey), text);
  break;
}

process.stdout.write(JSON.stringify({ generator: "tweetnacl ed25519", vectors }, null, 2) + "\n");
