// Entry point of the web UI: renders the app into #app and routes in-app link clicks.

import { render } from 'preact';
import { App } from './app.tsx';
import { interceptLinkClicks } from './router.ts';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  interceptLinkClicks(document.body);
  render(<App />, root);
}
