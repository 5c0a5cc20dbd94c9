// wallet-siwe-mutations.mjs prints random near-misses of valid EIP-4361
// messages as JSON, each with whether the siwe package's parser accepts it.
// internal/auth/wallet's tests require ParseSIWE to give the same verdict:
// a differential test of the hand-written parser against the reference one.
//
// Each case is a valid message with one to four random single-character
// insertions, deletions or replacements drawn from the characters that
// matter to the grammar.
//
// One known difference is filtered out: inside an IPv6 literal, the
// reference parser accepts dotted IPv4 tails with empty or zero-padded
// octets ("[::1.2.3.]"), which RFC 3986 forbids and ParseSIWE refuses.
//
// Usage: node wallet-siwe-mutations.mjs [count] > cases.json
import { SiweMessage } from "siwe";

const bases = [
  `https://service.org:8080 wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

I accept the ServiceOrg Terms of Service: https://service.org/tos

URI: https://u:p@service.org:8080/login?a=b#c
Version: 1
Chain ID: 1
Nonce: 32891756
Issued At: 2021-09-30T16:25:24Z
Expiration Time: 2021-10-30T16:25:24.500Z
Not Before: 2021-09-30T18:00:00+02:00
Request ID: some_id
Resources:
- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/
- https://[::1]:80/my-web2-claim.json`,
  `a@[v1.x]:1 wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2



URI: did:web:x
Version: 1
Chain ID: 137
Nonce: 3289175632891756
Issued At: 2024-02-29t23:59:60z
Not Before: 2021-09-30T18:00:00-23:59
Request ID: 
Resources:
- urn:x:y
- http://1.2.3.4:5/`,
];
const alphabet = "\n :/?#[]@!$&'()*+,;=-._~%0123456789aAfFzZtTvV\r\"é";
const pick = (s) => s[Math.floor(Math.random() * s.length)];
const count = Number(process.argv[2] ?? 2000);
// An IP literal holding a dot other than IPvFuture's: the known difference.
const ipv4InIPv6 = /\[[^\]v]*\.[^\]]*\]/;

const cases = [];
while (cases.length < count) {
  let text = bases[cases.length % bases.length];
  const edits = 1 + Math.floor(Math.random() * 4);
  for (let e = 0; e < edits; e++) {
    const p = Math.floor(Math.random() * (text.length + 1));
    const c = pick(alphabet);
    switch (Math.floor(Math.random() * 3)) {
      case 0:
        text = text.slice(0, p) + c + text.slice(p);
        break;
      case 1:
        text = text.slice(0, p) + text.slice(p + 1);
        break;
      default:
        text = text.slice(0, p) + c + text.slice(p + 1);
    }
  }
  if (ipv4InIPv6.test(text)) {
    continue;
  }
  try {
    new SiweMessage(text);
    cases.push({ text, siwe: true });
  } catch (e) {
    cases.push({ text, siwe: false, siweError: String(e.message ?? e).split("\n")[0] });
  }
}
process.stdout.write(JSON.stringify({ generator: "siwe parser on random edits", cases }) + "\n");
