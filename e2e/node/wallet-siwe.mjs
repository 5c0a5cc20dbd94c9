// wallet-siwe.mjs prints Sign-In with Ethereum (EIP-4361) test vectors as JSON.
//
//   - "messages": texts built with the siwe package's
//     SiweMessage.prepareMessage(), signed by a fresh ethers wallet (or by
//     another wallet, or tampered after signing), each with the fields the
//     siwe parser reads back and ethers.verifyMessage's verdict.
//   - "parse": texts derived from a valid message by one edit each, with
//     whether the siwe parser (new SiweMessage(text)) accepts them.
//
// internal/auth/wallet's tests require ParseSIWE and RecoverPersonalSign to
// agree, except on cases marked with a "deviation".
//
// Usage: node wallet-siwe.mjs > vectors.json
import { Wallet, verifyMessage } from "ethers";
import { SiweMessage, generateNonce } from "siwe";

const wallet = Wallet.createRandom();
const other = Wallet.createRandom();
const now = Date.now();
const iso = (ms) => new Date(ms).toISOString();
const day = 24 * 60 * 60 * 1000;

function fields(m) {
  const ms = (t) => (t === undefined ? null : Date.parse(t));
  return {
    scheme: m.scheme ?? null,
    domain: m.domain,
    address: m.address,
    statement: m.statement ?? null,
    uri: m.uri,
    version: m.version,
    chainId: m.chainId,
    nonce: m.nonce,
    issuedAt: m.issuedAt,
    issuedAtMs: ms(m.issuedAt),
    expirationTime: m.expirationTime ?? null,
    expirationTimeMs: ms(m.expirationTime),
    notBefore: m.notBefore ?? null,
    notBeforeMs: ms(m.notBefore),
    requestId: m.requestId ?? null,
    resources: m.resources ?? null,
  };
}

function verdict(text, signature) {
  try {
    return verifyMessage(text, signature);
  } catch {
    return null;
  }
}

const messages = [];

// addMessage builds a message from params, signs it with signer and records
// it. tamper, if given, edits the text after signing.
async function addMessage(name, params, signer = wallet, tamper = (t) => t) {
  const text = new SiweMessage({ address: wallet.address, version: "1", chainId: 1, ...params }).prepareMessage();
  const signature = await signer.signMessage(text);
  const sent = tamper(text);
  messages.push({
    name,
    text: sent,
    signature,
    fields: fields(new SiweMessage(sent)),
    ethers: verdict(sent, signature),
  });
}

// The Convo Space SDK's getSignatureDataV2, including its bug of issuing
// and expiring at the same instant (now + 1 day).
const convoTime = iso(now + day);
const convo = {
  domain: "theconvo.space",
  statement: "I allow this site to access my data on The Convo Space.",
  uri: "https://theconvo.space",
  nonce: generateNonce(),
  issuedAt: convoTime,
  expirationTime: convoTime,
  resources: ["https://theconvo.space/privacy-policy"],
};
await addMessage("convo getSignatureDataV2", convo);
await addMessage("all fields", {
  scheme: "https",
  domain: "login.example.com:8443",
  statement: "Sign in to Example! Terms: https://example.com/tos?v=2#top (and more) ~ok",
  uri: "https://login.example.com:8443/auth/callback?next=%2Fhome&x=1#frag",
  chainId: 137,
  nonce: generateNonce(),
  issuedAt: iso(now),
  expirationTime: iso(now + day),
  notBefore: iso(now - 60000),
  requestId: "req-42:abc@example",
  resources: [
    "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
    "https://example.com/my-web2-claim.json",
    "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
  ],
});
await addMessage("minimal", { domain: "example.com", uri: "https://example.com", nonce: "abcdefgh12345678", issuedAt: "2021-12-07T18:28:18.807Z" });
await addMessage("empty statement", { domain: "example.com", statement: "", uri: "https://example.com", nonce: generateNonce(), issuedAt: iso(now) });
await addMessage("empty resources", { domain: "example.com", uri: "https://example.com", nonce: generateNonce(), issuedAt: iso(now), resources: [] });
await addMessage("ipv6 and offsets", {
  domain: "user:pass@[::1]:3000",
  uri: "http://[::1]:3000/login",
  chainId: 5,
  nonce: generateNonce(),
  issuedAt: "2024-02-29T23:59:60.5+05:30",
  notBefore: "2024-03-01t00:00:00z",
  statement: "Local test.",
});
await addMessage("forged: other key", convo, other);
await addMessage("forged: nonce changed", convo, wallet, (t) => t.replace(/Nonce: .*/, "Nonce: 0123456789abcdef"));
await addMessage("forged: expiration extended", convo, wallet, (t) => t.replace(/Expiration Time: .*/, `Expiration Time: ${iso(now + 365 * day)}`));
await addMessage("forged: address swapped", convo, wallet, (t) => t.replace(wallet.address, other.address));

// Parse cases: one edit each to a known-good text.
const base = new SiweMessage({
  domain: "example.com",
  address: wallet.address,
  statement: "I accept the Terms.",
  uri: "https://example.com/login",
  version: "1",
  chainId: 1,
  nonce: "32891756abcd",
  issuedAt: "2021-09-30T16:25:24Z",
  expirationTime: "2021-10-30T16:25:24.000Z",
  notBefore: "2021-09-30T16:00:00+02:00",
  requestId: "some_id",
  resources: ["ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/", "https://example.com/my-web2-claim.json"],
}).prepareMessage();
const line = (prefix) => new RegExp(`^${prefix}.*$`, "m");
const edits = [
  ["unchanged", (t) => t],
  ["trailing line feed", (t) => t + "\n"],
  ["crlf line ends", (t) => t.replaceAll("\n", "\r\n")],
  ["leading space", (t) => " " + t],
  ["empty text", () => ""],
  ["header only", (t) => t.split("\n")[0]],
  ["header and address only", (t) => t.split("\n").slice(0, 2).join("\n")],
  ["no statement", (t) => t.replace("I accept the Terms.\n\n", "\n")],
  ["no statement, one blank line", (t) => t.replace("\n\nI accept the Terms.\n\n", "\n\n")],
  ["empty statement", (t) => t.replace("I accept the Terms.\n", "\n")],
  ["statement missing blank line after", (t) => t.replace("I accept the Terms.\n\n", "I accept the Terms.\n")],
  ["statement with percent", (t) => t.replace("the Terms.", "100% of the Terms.")],
  ["statement with quote", (t) => t.replace("the Terms.", 'the "Terms".')],
  ["statement with non-ascii", (t) => t.replace("the Terms.", "the Térms.")],
  ["statement with tab", (t) => t.replace("the Terms.", "the\tTerms.")],
  ["statement with reserved chars", (t) => t.replace("the Terms.", () => "the Terms: [a]@b/c?d#e!$&'()*+,;=_~-")],
  ["statement looks like URI line", (t) => t.replace("I accept the Terms.", "URI: https://evil.example")],
  ["lowercase address", (t) => t.replace(wallet.address, wallet.address.toLowerCase())],
  ["uppercase address", (t) => t.replace(wallet.address, "0x" + wallet.address.slice(2).toUpperCase())],
  ["0X prefix", (t) => t.replace(wallet.address, "0X" + wallet.address.slice(2))],
  ["short address", (t) => t.replace(wallet.address, wallet.address.slice(0, 41))],
  ["address with space after", (t) => t.replace(wallet.address, wallet.address + " ")],
  ["missing address", (t) => t.replace(wallet.address + "\n", "")],
  ["scheme", (t) => "https://" + t],
  ["scheme uppercase", (t) => "HTTPS://" + t],
  ["scheme with digit first", (t) => "1https://" + t],
  ["scheme empty", (t) => "://" + t],
  ["domain empty", (t) => t.replace("example.com wants", " wants")],
  ["domain with port", (t) => t.replace("example.com wants", "example.com:8080 wants")],
  ["domain with bad port", (t) => t.replace("example.com wants", "example.com:80a wants")],
  ["domain with userinfo", (t) => t.replace("example.com wants", "alice:secret@example.com wants")],
  ["domain with two at signs", (t) => t.replace("example.com wants", "a@b@example.com wants")],
  ["domain with path", (t) => t.replace("example.com wants", "example.com/path wants")],
  ["domain with space", (t) => t.replace("example.com wants", "exa mple.com wants")],
  ["domain ipv4", (t) => t.replace("example.com wants", "127.0.0.1:3000 wants")],
  ["domain ipv6", (t) => t.replace("example.com wants", "[2001:db8::1]:3000 wants")],
  ["domain ipv6 unclosed", (t) => t.replace("example.com wants", "[2001:db8::1 wants")],
  ["domain ipv6 too many groups", (t) => t.replace("example.com wants", "[1:2:3:4:5:6:7:8:9] wants")],
  ["domain ipv6 with ipv4 tail", (t) => t.replace("example.com wants", "[::ffff:192.0.2.1] wants")],
  ["domain ipv6 with empty ipv4 octet", (t) => t.replace("example.com wants", "[::1.2.3.] wants")],
  ["domain ipv6 with zero-padded ipv4 octet", (t) => t.replace("example.com wants", "[::1.2.3.004] wants")],
  ["domain ipvfuture", (t) => t.replace("example.com wants", "[v1.fe:80] wants")],
  ["domain percent-encoded", (t) => t.replace("example.com wants", "ex%41mple.com wants")],
  ["domain bad percent", (t) => t.replace("example.com wants", "ex%4mple.com wants")],
  ["header wording", (t) => t.replace("wants you to sign in", "wants you to log in")],
  ["header case", (t) => t.replace("Ethereum account:", "ethereum account:")],
  ["uri missing", (t) => t.replace(line("URI: "), "")],
  ["uri empty", (t) => t.replace(line("URI: "), "URI: ")],
  ["uri no scheme", (t) => t.replace(line("URI: "), "URI: example.com/login")],
  ["uri relative", (t) => t.replace(line("URI: "), "URI: /login")],
  ["uri with space", (t) => t.replace(line("URI: "), "URI: https://example.com/log in")],
  ["uri urn", (t) => t.replace(line("URI: "), "URI: urn:isbn:0451450523")],
  ["uri mailto", (t) => t.replace(line("URI: "), "URI: mailto:alice@example.com")],
  ["uri file empty host", (t) => t.replace(line("URI: "), "URI: file:///etc/hosts")],
  ["uri query and fragment", (t) => t.replace(line("URI: "), "URI: https://example.com/a/b?c=d/e?f#g/h?i")],
  ["uri bad fragment", (t) => t.replace(line("URI: "), "URI: https://example.com/#a#b")],
  ["uri pipe", (t) => t.replace(line("URI: "), "URI: https://example.com/a|b")],
  ["uri lowercase tag", (t) => t.replace("URI: ", "uri: ")],
  ["version 2", (t) => t.replace("Version: 1", "Version: 2")],
  ["version 1.0", (t) => t.replace("Version: 1", "Version: 1.0")],
  ["version missing", (t) => t.replace("Version: 1\n", "")],
  ["chain id zero-padded", (t) => t.replace("Chain ID: 1", "Chain ID: 0001")],
  ["chain id empty", (t) => t.replace("Chain ID: 1", "Chain ID: ")],
  ["chain id hex", (t) => t.replace("Chain ID: 1", "Chain ID: 0x1")],
  ["chain id negative", (t) => t.replace("Chain ID: 1", "Chain ID: -1")],
  ["chain id large", (t) => t.replace("Chain ID: 1", "Chain ID: 9007199254740991")],
  ["nonce 8 chars", (t) => t.replace("Nonce: 32891756abcd", "Nonce: 3289AbCd")],
  ["nonce 7 chars", (t) => t.replace("Nonce: 32891756abcd", "Nonce: 3289175")],
  ["nonce with dash", (t) => t.replace("Nonce: 32891756abcd", "Nonce: 3289-1756abcd")],
  ["nonce empty", (t) => t.replace("Nonce: 32891756abcd", "Nonce: ")],
  ["nonce missing", (t) => t.replace("Nonce: 32891756abcd\n", "")],
  ["issued at missing", (t) => t.replace(line("Issued At: ") , "").replace("\n\nExpiration", "\nExpiration")],
  ["issued at date only", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30")],
  ["issued at space", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30 16:25:24Z")],
  ["issued at lowercase t z", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30t16:25:24z")],
  ["issued at no offset", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:24")],
  ["issued at feb 30", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-02-30T16:25:24Z")],
  ["issued at feb 29 leap", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2024-02-29T16:25:24Z")],
  ["issued at feb 29 not leap", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2100-02-29T16:25:24Z")],
  ["issued at month 13", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-13-01T16:25:24Z")],
  ["issued at day 00", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-00T16:25:24Z")],
  ["issued at hour 24", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T24:00:00Z")],
  ["issued at minute 60", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:60:24Z")],
  ["issued at leap second", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2016-12-31T23:59:60Z")],
  ["issued at second 61", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:61Z")],
  ["issued at long fraction", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:24.123456789012Z")],
  ["issued at empty fraction", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:24.Z")],
  ["issued at offset", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:24-07:30")],
  ["issued at offset 24h", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:24+24:00")],
  ["issued at offset no colon", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:24+0200")],
  ["issued at 5-digit year", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 12021-09-30T16:25:24Z")],
  ["issued at year 0000", (t) => t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 0000-02-29T00:00:00Z")],
  ["expiration time invalid", (t) => t.replace("2021-10-30T16:25:24.000Z", "2021-10-32T16:25:24.000Z")],
  ["expiration time empty", (t) => t.replace("Expiration Time: 2021-10-30T16:25:24.000Z", "Expiration Time: ")],
  ["not before invalid", (t) => t.replace("Not Before: 2021-09-30T16:00:00+02:00", "Not Before: yesterday")],
  ["optional fields out of order", (t) => t.replace(/(Expiration Time: .*)\n(Not Before: .*)/, "$2\n$1")],
  ["expiration time twice", (t) => t.replace(/(Expiration Time: .*)/, "$1\n$1")],
  ["unknown field", (t) => t.replace("Request ID: some_id", "Request ID: some_id\nColor: blue")],
  ["request id empty", (t) => t.replace("Request ID: some_id", "Request ID: ")],
  ["request id with space", (t) => t.replace("Request ID: some_id", "Request ID: some id")],
  ["request id pchar", (t) => t.replace("Request ID: some_id", () => "Request ID: a:b@c!$&'()*+,;=-._~%20")],
  ["request id slash", (t) => t.replace("Request ID: some_id", "Request ID: a/b")],
  ["no optional fields", (t) => t.slice(0, t.indexOf("\nExpiration Time"))],
  ["resources empty", (t) => t.slice(0, t.indexOf("\n- ipfs"))],
  ["resources without dash", (t) => t.replace("- ipfs://", "ipfs://")],
  ["resource invalid uri", (t) => t.replace("- ipfs://", "- ipfs ://")],
  ["resource no space after dash", (t) => t.replace("- ipfs://", "-ipfs://")],
  ["resource then extra line", (t) => t + "\nThanks!"],
  ["resources header lowercase", (t) => t.replace("Resources:", "resources:")],
  ["blank line between fields", (t) => t.replace("Version: 1\n", "Version: 1\n\n")],
];
const parse = edits.map(([name, edit]) => {
  const text = edit(base);
  try {
    new SiweMessage(text);
    return { name, text, siwe: true };
  } catch (e) {
    return { name, text, siwe: false, siweError: String(e.message ?? e).split("\n")[0] };
  }
});

process.stdout.write(JSON.stringify({ generator: "siwe prepareMessage + ethers", messages, parse }, null, 2) + "\n");
