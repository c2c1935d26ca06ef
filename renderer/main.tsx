/** The renderer's entry: picks the transport (Electron bridge or HTTP) and shows the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from './api/api-context';
import { pickTransport } from './api/transport';
import { App } from './App';
import { setLanguage } from './i18n';
import { startingLanguage } from './i18n/preference';

const container = document.getElementById('root');
if (container) {
  void setLanguage(startingLanguage());
  const { api, desktop } = pickTransport();
  createRoot(container).render(
    <StrictMode>
      <ApiProvider api={api} desktop={desktop}>
        <App />
      </ApiProvider>
    </StrictMode>,
  );
}
