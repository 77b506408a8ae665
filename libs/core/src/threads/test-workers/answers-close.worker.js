'use strict';
/** A thread for close-thread.spec that answers `close` with `closed`. */
const { parentPort } = require('node:worker_threads');

parentPort.on('message', (m) => m === 'close' && parentPort.postMessage('closed'));
