import { io } from 'socket.io-client';
import { token } from './api.js';

/**
 * The page's Socket.IO connection, with the tab's token: `/monitoring` only. Errors (criticals too),
 * the pipeline's figures and a sample of the patterns come there; on `/` the page would be sent every
 * event, a frame each, which an operator's page must not cost the pipeline.
 */
export function openSockets() {
  const auth = token ? { token } : {};
  return { monitoring: io('/monitoring', { auth }) };
}
