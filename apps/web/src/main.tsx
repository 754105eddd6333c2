/** The entry point: starts the app's data (actions/boot.ts) and renders its frame. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { boot } from './actions/boot';
import { App } from './app/App';
import './styles/app.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void boot();
