import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient } from './api/client.js';
import { ClientProvider } from './api/context.js';
import { installKeyboard } from './keyboard/useShortcuts.js';
import { registerServiceWorker } from './pwa/register.js';
import { App } from './shell/App.js';
import './ui/theme.css';

const client = new ApiClient();
client.start();
installKeyboard(window);
if (import.meta.env.PROD) registerServiceWorker();

// Let the engine's e2e tests and the desktop shell reach the client.
(window as unknown as { __gatehouseClient?: ApiClient }).__gatehouseClient = client;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ClientProvider client={client}>
      <App />
    </ClientProvider>
  </StrictMode>,
);
