// The embedded AWS emulators (dynalite for DynamoDB, fauxqs for SQS) on a thread of their own, so that on a machine
// with more than one core their work runs beside the hub's instead of taking turns with it on one event loop.
// Plain JavaScript: a worker thread starts without the TypeScript loader the hub runs under.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';

const dynamoServer = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(workerData.dataDir ? { path: workerData.dataDir } : {}),
});
await new Promise((resolve, reject) => dynamoServer.listen(0, '127.0.0.1', resolve).once('error', reject));
const fauxqs = await startFauxqs({ port: 0, logger: false });
parentPort.postMessage({ dynamoPort: dynamoServer.address().port, sqsPort: fauxqs.port });
parentPort.once('message', async () => {
  await fauxqs.stop();
  await new Promise((resolve) => {
    dynamoServer.close(resolve);
    dynamoServer.closeAllConnections();
  });
  parentPort.postMessage('stopped');
});
