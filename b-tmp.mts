import { measureBundles } from './test/bench/bundles.js';
const b = await measureBundles();
console.log(JSON.stringify(Object.fromEntries(Object.entries(b.bundles).map(([k, v]) => [k, { kb: v.kb, ms: v.coldImportMs }]))));
