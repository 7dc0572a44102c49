import { token, useToken } from './api.js';
import { $ } from './dom.js';

/**
 * The consumer wants its admin token and this tab has none (or a wrong one): the page asks for it
 * instead of showing zeros. The token is kept for this tab only, never put in the address bar.
 */
export function askForToken() {
  const form = $('token-form');
  if (!form.hidden) return;
  form.querySelector('.why').textContent = token
    ? 'The consumer refused the admin token this tab has. Enter the right one:'
    : 'This consumer needs its admin token (HARNESS_ADMIN_TOKEN) to show anything:';
  form.hidden = false;
  document.body.classList.add('needs-token');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    useToken($('token-input').value);
  });
  $('token-input').focus();
}
