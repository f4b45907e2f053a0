import { validateResource } from '@medplum/core';
import { loadBaseDefinitions } from '/work/main/core/validation/base-structure.js';
import { fastStructureCheck } from '/work/main/core/validation/fast-structure.js';
import { referralMessage } from '/work/main/local/messages.js';

loadBaseDefinitions();
const r: any = referralMessage({ senderOds: 'Z9W001', category: 'social-prescribing' });
console.log(Object.keys(r));
r[Object.keys(r)[0]] = Object.create(null);
console.log(fastStructureCheck(r));
try {
  validateResource(r);
  console.log('ok');
} catch (e: any) {
  console.log(JSON.stringify(e.outcome?.issue ?? e.message).slice(0, 300));
}
