// Runs graphql-http's server audits (the GraphQL-over-HTTP specification's MUSTs, SHOULDs
// and MAYs) against a running Vigo, with a bearer token on every request. Fails on any
// error (a MUST) or warning (a SHOULD); notices (MAYs Vigo does not do) are listed only.
//
//   VIGO_URL=http://127.0.0.1:8080/graphql VIGO_TOKEN=... node audit.mjs
import { auditServer } from 'graphql-http';

const url = process.env.VIGO_URL ?? 'http://127.0.0.1:8080/graphql';
const token = process.env.VIGO_TOKEN;
if (!token) {
  console.error('set VIGO_TOKEN to a token the server accepts');
  process.exit(2);
}

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    const reason = result.reason ? `: ${result.reason}` : '';
    console.log(`${result.status.padEnd(6)} ${result.id} ${result.name}${reason}`);
  }
}
console.log(
  `${results.length} audits against ${url}: ${counts.ok} ok, ${counts.notice} notices, ${counts.warn} warnings, ${counts.error} errors`,
);
process.exit(counts.warn + counts.error > 0 ? 1 : 0);
