import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { configureProjectSession } from '../src/react';
import { CreateProjectPage } from './CreateProjectPage';
import { OwnedDemo } from './OwnedDemo';
import './styles.css';

configureProjectSession({ baseUrl: import.meta.env.VITE_API_URL ?? 'http://localhost:9000' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {import.meta.env.VITE_AUTH_MODE === 'jwt' ? <OwnedDemo /> : <CreateProjectPage />}
  </StrictMode>,
);
