// convo-client.mjs is a client written against The Convo Space's docs: it
// signs in to a running Parley with real wallet libraries (ethers
// personal_sign as MetaMask does, siwe + ethers for EIP-4361, tweetnacl for a
// NEAR key signing the SHA-256 of the text as near-api-js does), then
// comments, votes and edits. It also sends what the server must refuse:
// forged signatures, a replayed SIWE nonce, expired and stale messages, and
// malformed input. It exits non-zero on the first surprise and prints a JSON
// summary.
//
// Usage: PARLEY_URL=http://127.0.0.1:8080 PARLEY_APIKEY=CS... node convo-client.mjs
import { Wallet, hexlify, toUtf8Bytes } from "ethers";
import { SiweMessage, generateNonce } from "siwe";
import nacl from "tweetnacl";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";

const base = process.env.PARLEY_URL;
const apikey = process.env.PARLEY_APIKEY;
assert.ok(base && apikey, "PARLEY_URL and PARLEY_APIKEY are required");

async function api(method, path, body) {
  const sep = path.includes("?") ? "&" : "?";
  const res = await fetch(`${base}/api${path}${sep}apikey=${apikey}`, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, json };
}

const data = (account, ts) =>
  `I allow this site to access my data on The Convo Space using the account ${account}. Timestamp:${ts}`;
const summary = {};

// 1. MetaMask-style personal_sign (ethers signMessage is EIP-191).
const alice = Wallet.createRandom();
let ts = Date.now();
let r = await api("POST", "/auth", { signerAddress: alice.address, signature: await alice.signMessage(data(alice.address, ts)), timestamp: ts, chain: "ethereum" });
assert.equal(r.status, 200, JSON.stringify(r.json));
assert.equal(r.json.success, true);
const aliceToken = r.json.message;
r = await api("POST", "/validateAuth", { signerAddress: alice.address, token: aliceToken });
assert.deepEqual(r.json, { success: true, message: "Valid Auth Token" });

// The docs' raw personal_sign call signs the hex of the UTF-8 text: same bytes.
const hexData = hexlify(toUtf8Bytes(data(alice.address, ts)));
assert.ok(hexData.startsWith("0x"));

// 2. Sign-In with Ethereum, as the SDK's getSignatureDataV2 builds it
// (issued and expiring at the same instant, a day ahead).
const bob = Wallet.createRandom();
const when = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
const siwe = new SiweMessage({
  domain: "theconvo.space", address: bob.address, statement: "I allow this site to access my data on The Convo Space.",
  uri: "https://theconvo.space/", version: "1", chainId: 1, nonce: generateNonce(), issuedAt: when, expirationTime: when,
  resources: ["https://theconvo.space/privacy-policy"],
}).prepareMessage();
const siweSig = await bob.signMessage(siwe);
r = await api("POST", "/authV2", { message: siwe, signature: siweSig, chain: "ethereum" });
assert.equal(r.status, 200, JSON.stringify(r.json));
const bobToken = r.json.message;
// The same message again: its nonce was used.
r = await api("POST", "/authV2", { message: siwe, signature: siweSig, chain: "ethereum" });
assert.equal(r.status, 400, "a replayed SIWE nonce must be refused");
assert.equal(r.json.success, false);
summary.siweReplay = r.json.message;
// An expired message.
const past = new SiweMessage({
  domain: "theconvo.space", address: bob.address, statement: "I allow this site to access my data on The Convo Space.",
  uri: "https://theconvo.space/", version: "1", chainId: 1, nonce: generateNonce(),
  issuedAt: new Date(Date.now() - 2 * 86400e3).toISOString(), expirationTime: new Date(Date.now() - 86400e3).toISOString(),
}).prepareMessage();
r = await api("POST", "/authV2", { message: past, signature: await bob.signMessage(past), chain: "ethereum" });
assert.equal(r.status, 400);
assert.match(r.json.message, /Signature Expired/);
// Signed by someone else.
const fresh = siwe.replace(/Nonce: .*/, `Nonce: ${generateNonce()}`);
r = await api("POST", "/authV2", { message: fresh, signature: await alice.signMessage(fresh), chain: "ethereum" });
assert.equal(r.status, 400);
assert.match(r.json.message, /doesn't match/);

// 3. NEAR: an ed25519 key signs the SHA-256 of the text.
const kp = nacl.sign.keyPair();
const account = "parley-e2e.testnet";
ts = Date.now();
const digest = createHash("sha256").update(data(account, ts)).digest();
r = await api("POST", "/auth", {
  signerAddress: Buffer.from(kp.publicKey).toString("hex"),
  signature: Buffer.from(nacl.sign.detached(digest, kp.secretKey)).toString("hex"),
  accountId: account, timestamp: ts, chain: "near",
});
assert.equal(r.status, 200, JSON.stringify(r.json));
const nearToken = r.json.message;

// Forged and stale sign-ins.
const mallory = Wallet.createRandom();
ts = Date.now();
r = await api("POST", "/auth", { signerAddress: alice.address, signature: await mallory.signMessage(data(alice.address, ts)), timestamp: ts, chain: "ethereum" });
assert.equal(r.status, 400);
assert.equal(r.json.message, "Recovered address from signature doesn't match signerAddress");
const old = Date.now() - 25 * 3600e3;
r = await api("POST", "/auth", { signerAddress: alice.address, signature: await alice.signMessage(data(alice.address, old)), timestamp: old, chain: "ethereum" });
assert.deepEqual(r.json, { success: false, message: "Request timestamp too old." });
r = await api("POST", "/auth", { signerAddress: alice.address, signature: (await alice.signMessage(data(alice.address, ts))).slice(0, 100), timestamp: ts, chain: "ethereum" });
assert.equal(r.status, 400);
assert.equal(r.json.message, "signerAddress or signature or timestamp is missing/invalid.");
const wrongKey = nacl.sign.keyPair();
r = await api("POST", "/auth", {
  signerAddress: Buffer.from(wrongKey.publicKey).toString("hex"),
  signature: Buffer.from(nacl.sign.detached(createHash("sha256").update(data(account, ts)).digest(), kp.secretKey)).toString("hex"),
  accountId: account, timestamp: ts, chain: "near",
});
assert.equal(r.status, 400, "a NEAR signature by another key must be refused");

// 4. Comment, reply, vote, edit: as each signer.
const threadId = "e2e-" + generateNonce();
const url = encodeURIComponent("https://example.com/e2e?x=1");
r = await api("POST", "/comments", { token: aliceToken, signerAddress: alice.address, comment: "gm", threadId, url, tag1: "hello" });
assert.equal(r.status, 200, JSON.stringify(r.json));
assert.equal(r.json.success, true);
assert.equal(r.json.url, "https://example.com/e2e?x=1");
const c1 = r.json._id;
assert.equal(c1.length, 24);
r = await api("POST", "/comments", { token: bobToken, signerAddress: bob.address.toLowerCase(), comment: "gm gm", threadId, url, replyTo: c1 });
assert.equal(r.status, 200, JSON.stringify(r.json));
r = await api("POST", "/comments", { token: nearToken, signerAddress: account, comment: "from NEAR", threadId, url });
assert.equal(r.status, 200, JSON.stringify(r.json));
assert.equal(r.json.chain, "near");
r = await api("POST", "/vote", { token: bobToken, signerAddress: bob.address, commentId: c1, type: "toggleUpvote" });
assert.deepEqual(r.json, { success: true });
r = await api("POST", "/vote", { token: nearToken, signerAddress: account, commentId: c1, type: "toggleDownvote" });
assert.deepEqual(r.json, { success: true });
r = await api("POST", "/vote", { token: bobToken, signerAddress: bob.address, commentId: c1, type: "superVote" });
assert.deepEqual(r.json, { success: false, message: "Invalid type." });
r = await api("PATCH", "/comments", { token: bobToken, signerAddress: bob.address, commentId: c1, comment: "not yours" });
assert.equal(r.status, 401);
r = await api("PATCH", "/comments", { token: aliceToken, signerAddress: alice.address, commentId: c1, comment: "gm, edited" });
assert.equal(r.status, 200, JSON.stringify(r.json));
r = await api("GET", `/comment?commentId=${c1}`);
assert.equal(r.json.text, "gm, edited");
assert.deepEqual(r.json.upvotes, [bob.address]);
assert.deepEqual(r.json.downvotes, [account]);
assert.equal(r.json.editHistory[0].text, "gm");
r = await api("GET", `/comments?url=${url}`);
assert.equal(r.json.length, 3);
r = await api("GET", `/comments?threadId=${threadId}&tag1=hello`);
assert.equal(r.json.length, 1);
// A token is bound to its signer.
r = await api("POST", "/comments", { token: aliceToken, signerAddress: bob.address, comment: "as bob", threadId, url });
assert.equal(r.status, 401);

summary.comments = 3;
summary.ok = true;
console.log(JSON.stringify(summary));
