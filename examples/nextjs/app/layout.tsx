import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { ProjectSessionConfig } from './project-session-config';
import './globals.css';

export const metadata: Metadata = { title: 'Create project' };

// Where the project-session API is: read on the server at request time, so one `next build` serves
// any API (set PROJECT_SESSION_API_URL before `next start`). `connection()` keeps Next.js from
// prerendering the pages at build time, which would bake in the value the build saw.
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  const baseUrl = process.env.PROJECT_SESSION_API_URL || 'http://localhost:9000';
  return (
    <html lang="en">
      <body>
        <ProjectSessionConfig baseUrl={baseUrl}>{children}</ProjectSessionConfig>
      </body>
    </html>
  );
}
