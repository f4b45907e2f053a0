import { endToEnd } from './bench/end-to-end.js';

console.log(JSON.stringify(await endToEnd(), null, 1));
process.exit(0);
