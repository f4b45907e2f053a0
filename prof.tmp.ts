import { ingestCosts } from './bench/ingest-cost.js';

console.log(JSON.stringify(await ingestCosts(), null, 1));
