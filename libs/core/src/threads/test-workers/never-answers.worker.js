'use strict';
/** A thread for close-thread.spec that never answers and never ends by itself. */
setInterval(() => undefined, 1000);
