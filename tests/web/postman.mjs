// The Postman collection of the API, generated from openapi.yaml, and its run.
//
//   node postman.mjs write   regenerate docs/postman/collection.json
//   node postman.mjs check   fail if the committed collection is not what openapi.yaml gives
//   node postman.mjs run     run every request with newman against $API_URL, signed in as a
//                            new customer: no answer may be a 5xx, and every error must be
//                            a problem document (the samples' placeholder ids and bodies
//                            draw 4xx answers, which is the point: bad input is refused well)
import Converter from 'openapi-to-postmanv2';
import newman from 'newman';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API, customer } from './browser/lib.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const target = `${root}docs/postman/collection.json`;

// Every request is checked by this collection-level test.
const CHECKS = [
  "pm.test('no server error', () => pm.expect(pm.response.code).to.be.below(500));",
  'if (pm.response.code >= 400) {',
  "  pm.test('errors are problem documents', () =>",
  "    pm.expect(pm.response.headers.get('Content-Type')).to.include('application/problem+json'));",
  '}',
];

function generate() {
  const data = fs.readFileSync(`${root}openapi.yaml`, 'utf8');
  return new Promise((resolve, reject) => {
    const options = { folderStrategy: 'Tags', parametersResolution: 'Example' };
    Converter.convert({ type: 'string', data }, options, (error, result) => {
      if (error || !result.result) return reject(error ?? new Error(result.reason));
      const collection = result.output[0].data;
      // Stable output: no random ids, and no saved example answers (they are made up
      // at random from the schemas; the requests' sample bodies are not).
      const strip = (item) => {
        delete item.id;
        delete item.response;
        (item.item ?? []).forEach(strip);
      };
      delete collection.info._postman_id;
      collection.item.forEach(strip);
      collection.event = [{ listen: 'test', script: { type: 'text/javascript', exec: CHECKS } }];
      resolve(`${JSON.stringify(collection, null, 2)}\n`);
    });
  });
}

const command = process.argv[2];
if (command === 'write') {
  fs.mkdirSync(`${root}docs/postman`, { recursive: true });
  fs.writeFileSync(target, await generate());
  console.log(`postman: wrote ${target}`);
} else if (command === 'check') {
  const committed = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (committed !== (await generate())) {
    console.error('postman: docs/postman/collection.json is stale; run `npm run postman` in tests/web');
    process.exit(1);
  }
  console.log('postman: the collection matches openapi.yaml');
} else if (command === 'run') {
  const base = API;
  const { token } = await customer('postman');
  newman.run(
    {
      collection: JSON.parse(fs.readFileSync(target, 'utf8')),
      envVar: [
        { key: 'baseUrl', value: base },
        { key: 'bearerToken', value: token },
      ],
      reporters: ['cli'],
      timeoutRequest: 30000,
    },
    (error, summary) => {
      const failures = error ? 1 : summary.run.failures.length;
      const requests = summary?.run.stats.requests.total ?? 0;
      if (failures || requests === 0) {
        console.error(`newman: ${failures} failures in ${requests} requests`);
        process.exit(1);
      }
      console.log(`newman: ${requests} requests, every answer a success or a problem document`);
    },
  );
} else {
  console.error('usage: node postman.mjs write|check|run');
  process.exit(2);
}
